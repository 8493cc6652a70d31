// Times in the clinic's timezone, whatever the vet's computer is set to. The picker holds a clinic wall time
// ("2026-11-23T10:00"); the API gets the instant, with an offset.
/** @import { ClinicSettings, Weekday } from "./api.js" */

/** @typedef {{year: number, month: number, day: number, hour: number, minute: number}} WallParts */

/** @type {Weekday[]} */
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * What the clinic's clocks show at `date`.
 * @param {Date} date
 * @param {string} timeZone
 * @returns {WallParts}
 */
function wallParts(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(date);
  /** @param {Intl.DateTimeFormatPartTypes} type */
  const get = (type) => Number(/** @type {Intl.DateTimeFormatPart} */ (parts.find((p) => p.type === type)).value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/**
 * The clinic's wall time at `date`, as a datetime-local input holds it: "2026-11-23T10:00".
 * @param {Date} date
 * @param {string} timeZone
 * @returns {string}
 */
export function toWallTime(date, timeZone) {
  const p = wallParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * @param {string} wall "2026-11-23T10:00"
 * @returns {WallParts}
 */
function parseWall(wall) {
  const [date, time] = wall.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return { year, month, day, hour, minute };
}

/**
 * The instant at which the clinic's clocks show `wall`. Two passes settle the offset across a DST change.
 * @param {string} wall "2026-11-23T10:00"
 * @param {string} timeZone
 * @returns {Date}
 */
export function fromWallTime(wall, timeZone) {
  const w = parseWall(wall);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  /** @param {number} instant */
  const offsetAt = (instant) => {
    const p = wallParts(new Date(instant), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - instant;
  };
  let instant = asUtc - offsetAt(asUtc);
  instant = asUtc - offsetAt(instant);
  return new Date(instant);
}

/**
 * An instant as the clinic's clocks show it, in the vet's language: "Monday, November 23, 10:00 AM PST".
 * @param {string} iso
 * @param {string} timeZone
 * @returns {string}
 */
export function formatInZone(iso, timeZone) {
  return new Intl.DateTimeFormat(navigator.language || "en-US", {
    timeZone,
    weekday: "long",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** @param {string} hhmm */
const minutesOf = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * A sensible default for a discharge follow-up: the next open day after today, at 10:00 if the clinic is open
 * then, else when it opens. Only a suggestion: the API is what moves a time into business hours.
 * @param {Date} now
 * @param {ClinicSettings} clinic
 * @returns {string} a wall time, "2026-11-24T10:00"
 */
export function suggestedFollowUp(now, clinic) {
  const today = wallParts(now, clinic.timezone);
  const closed = new Set(clinic.closedDates || []);
  for (let ahead = 1; ahead <= 14; ahead += 1) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const date = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
    const windows = (clinic.businessHours || {})[DAYS[day.getUTCDay()]] || [];
    if (closed.has(date) || windows.length === 0) continue;
    const ten = 10 * 60;
    const open = windows.find(([start, end]) => minutesOf(start) <= ten && ten < minutesOf(end));
    return `${date}T${open ? "10:00" : windows[0][0]}`;
  }
  const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
  return `${tomorrow.toISOString().slice(0, 10)}T10:00`;
}
