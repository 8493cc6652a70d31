// Times in the clinic's timezone, whatever the computer's own is set to: the arithmetic is Luxon's (IANA zones,
// DST-exact). A wall time is what the clinic's clocks show: a date "2026-11-23" and a time "10:00".
import { DateTime, Duration } from "luxon";

/**
 * @param {string} iso an instant, as the API writes it
 * @param {string} zone
 */
export const inZone = (iso, zone) => DateTime.fromISO(iso, { zone });

/**
 * "Mon, Nov 23, 10:00 AM": short, for lists.
 * @param {string} iso
 * @param {string} zone
 */
export function shortWhen(iso, zone) {
  return inZone(iso, zone).toLocaleString({ weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
}

/**
 * "Monday, November 23, 2026 at 10:00 AM PST": whole, for one call.
 * @param {string} iso
 * @param {string} zone
 */
export function longWhen(iso, zone) {
  return inZone(iso, zone).toLocaleString({
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

/**
 * "10:00:05 AM": a time of day to the second, for an attempt's steps.
 * @param {string} iso
 * @param {string} zone
 */
export function clockTime(iso, zone) {
  return inZone(iso, zone).toLocaleString(DateTime.TIME_WITH_SECONDS);
}

/**
 * "3:51 PM GMT+10": the owner's clock at a call's time, for the calls list.
 * @param {string} iso
 * @param {string} zone
 */
export function ownerClock(iso, zone) {
  return inZone(iso, zone).toFormat("t ZZZZ");
}

/**
 * The zone's short name now ("PST"), for labels.
 * @param {string} zone
 */
export function zoneAbbreviation(zone) {
  return DateTime.now().setZone(zone).toFormat("ZZZZ");
}

/**
 * The instant at which the clinic's clocks show `date` `time` (a time skipped by a DST change moves forward).
 * @param {string} date "2026-11-23"
 * @param {string} time "10:00"
 * @param {string} zone
 * @returns {string | null} ISO 8601 in UTC, or null when the date or time is not one
 */
export function wallToInstant(date, time, zone) {
  const wall = DateTime.fromISO(`${date}T${time}`, { zone });
  return wall.isValid ? /** @type {string} */ (wall.toUTC().toISO({ suppressMilliseconds: true })) : null;
}

/**
 * @param {string} iso
 * @param {string} zone
 * @returns {{date: string, time: string}} the clinic's wall time at `iso`
 */
export function instantToWall(iso, zone) {
  const wall = inZone(iso, zone);
  return { date: wall.toISODate() || "", time: wall.toFormat("HH:mm") };
}

/**
 * Today's date on the clinic's calendar.
 * @param {string} zone
 */
export const clinicToday = (zone) => DateTime.now().setZone(zone).toISODate() || "";

/**
 * The first and last instant of a clinic day, for GET /calls' from and to.
 * @param {string} date
 * @param {string} zone
 * @param {"start" | "end"} edge
 * @returns {string | null}
 */
export function dayEdge(date, zone, edge) {
  const day = DateTime.fromISO(date, { zone });
  if (!day.isValid) return null;
  const instant = edge === "start" ? day.startOf("day") : day.endOf("day");
  return /** @type {string} */ (instant.toUTC().toISO({ suppressMilliseconds: true }));
}

/**
 * How long until `iso`, in words that fit a cell: "in 4 min 12 s", "in 2 h 5 min", "in 3 days", "due now".
 * @param {string} iso
 * @param {number} now ms since the epoch
 */
export function countdown(iso, now) {
  const ms = DateTime.fromISO(iso).toMillis() - now;
  if (ms <= 0) return "due now";
  const left = Duration.fromMillis(ms).shiftTo("days", "hours", "minutes", "seconds");
  if (left.days >= 2) return `in ${Math.floor(left.days)} days`;
  if (left.days >= 1) return `in 1 day ${Math.floor(left.hours)} h`;
  if (left.hours >= 1) return `in ${Math.floor(left.hours)} h ${Math.floor(left.minutes)} min`;
  if (left.minutes >= 1) return `in ${Math.floor(left.minutes)} min ${Math.floor(left.seconds)} s`;
  return `in ${Math.ceil(left.seconds)} s`;
}

/**
 * "1 min 7 s": how long an attempt lasted.
 * @param {string} from
 * @param {string} to
 */
export function lasted(from, to) {
  const seconds = Math.max(0, Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), "seconds").seconds));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** @returns {string[]} every IANA zone this browser knows, for the searchable timezone field */
export function knownZones() {
  const supported = /** @type {{supportedValuesOf?: (key: string) => string[]}} */ (Intl).supportedValuesOf;
  return supported ? supported("timeZone") : ["America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "UTC"];
}
