// The wall clock: instants as the clinic's (or an owner's) clocks show them, whatever the computer's own zone is,
// for the dashboard and the extension alike. A wall time is what those clocks show: a date "2026-11-23" and a time
// "10:00". Only the browser's Intl (IANA zones, DST-exact): the extension loads its modules as they are, unbundled.
// The formatters take the user's language by default; `locale` is there for the tests.
/** @import { ClinicSettings, Weekday } from "./api.js" */

/** @typedef {{date: string, time: string}} Wall a date "2026-11-23" and a time "10:00" */
/** @typedef {string | number | Date} Instant an ISO 8601 instant as the API writes it, ms since the epoch, or a Date */

const MINUTE = 60_000;
const DAY = 86_400_000;

/** @type {Weekday[]} */
const WEEKDAYS_FROM_SUNDAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map(); // a format is slow to make and the calls list formats every row every second

/**
 * @param {string | undefined} locale
 * @param {Intl.DateTimeFormatOptions} options
 */
function format(locale, options) {
  const key = `${locale}|${JSON.stringify(options)}`;
  let made = formats.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, options);
    formats.set(key, made);
  }
  return made;
}

/** @param {Instant} instant */
const millisOf = (instant) => (instant instanceof Date ? instant.getTime() : typeof instant === "number" ? instant : Date.parse(instant));

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/**
 * The clock's fields at `ms` in `zone`, to the second.
 * @param {number} ms
 * @param {string} zone
 */
function fieldsAt(ms, zone) {
  const parts = format("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  /** @param {Intl.DateTimeFormatPartTypes} type */
  const get = (type) => Number(parts.find((part) => part.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second") };
}

/**
 * How far `zone`'s clocks are ahead of UTC at `ms` (negative west of Greenwich).
 * @param {number} ms
 * @param {string} zone
 */
function offsetAt(ms, zone) {
  const f = fieldsAt(ms, zone);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * @param {number} ms
 * @returns {string} ISO 8601 in UTC, without milliseconds when there are none: "2026-11-23T18:00:00Z"
 */
const isoOf = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * A wall date and time read as if they were UTC: ms, or NaN when they are not a date and a time.
 * @param {string} date "2026-11-23"
 * @param {string} time "10:00" or "10:00:30"
 */
function wallAsUtc(date, time) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!d || !t) return NaN;
  const [year, month, day, hour, minute, second] = [d[1], d[2], d[3], t[1], t[2], t[3] || "0"].map(Number);
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls "2026-02-30" over into March: a date that does not come back as written is not one.
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day ? ms : NaN;
}

/**
 * The instant at which `zone`'s clocks show `wall` (read as UTC). A time a DST change skips moves forward by the
 * change (02:30 on a spring-forward night is 03:30); a time it repeats is its first, the earlier instant.
 * @param {number} wall
 * @param {string} zone
 */
function instantOfWall(wall, zone) {
  // A zone changes its offset at most once in two days: the offsets a day either side are the two it can have.
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  const shows = (/** @type {number} */ ms) => ms + offsetAt(ms, zone) === wall;
  const candidates = [wall - before, wall - after].filter(shows);
  return candidates.length ? Math.min(...candidates) : wall - before;
}

/**
 * The instant at which the clinic's clocks show `date` `time`.
 * @param {string} date "2026-11-23"
 * @param {string} time "10:00"
 * @param {string} zone
 * @returns {string | null} ISO 8601 in UTC, or null when the date or time is not one
 */
export function wallToInstant(date, time, zone) {
  const wall = wallAsUtc(date, time);
  return Number.isNaN(wall) ? null : isoOf(instantOfWall(wall, zone));
}

/**
 * @param {Instant} instant
 * @param {string} zone
 * @returns {Wall} what the clocks of `zone` show at `instant`
 */
export function wallAt(instant, zone) {
  const f = fieldsAt(millisOf(instant), zone);
  return { date: `${f.year}-${pad(f.month)}-${pad(f.day)}`, time: `${pad(f.hour)}:${pad(f.minute)}` };
}

/**
 * The wall time at `instant` as a datetime-local input holds it: "2026-11-23T10:00".
 * @param {Instant} instant
 * @param {string} zone
 */
export function wallDateTime(instant, zone) {
  const { date, time } = wallAt(instant, zone);
  return `${date}T${time}`;
}

/**
 * Today's date on the clinic's calendar.
 * @param {string} zone
 * @param {Instant} [now]
 */
export const clinicToday = (zone, now = Date.now()) => wallAt(now, zone).date;

/**
 * The first or the last instant of a clinic day, for GET /calls' from and to.
 * @param {string} date "2026-11-23"
 * @param {string} zone
 * @param {"start" | "end"} edge
 * @returns {string | null} ISO 8601 in UTC, or null when `date` is not a date
 */
export function dayEdge(date, zone, edge) {
  const midnight = wallAsUtc(date, "00:00");
  if (Number.isNaN(midnight)) return null;
  // A day ends where the next begins, whatever length a DST change gave it.
  return isoOf(edge === "start" ? instantOfWall(midnight, zone) : instantOfWall(midnight + DAY, zone) - 1);
}

/**
 * @param {Instant} instant
 * @param {string} zone
 * @param {Intl.DateTimeFormatOptions} options
 * @param {string | undefined} locale
 */
const formatted = (instant, zone, options, locale) => format(locale, { ...options, timeZone: zone }).format(millisOf(instant));

/**
 * "Mon, Nov 23, 10:00 AM": short, for lists.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function shortWhen(instant, zone, locale) {
  return formatted(instant, zone, { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }, locale);
}

/**
 * "Monday, November 23, 2026 at 10:00 AM PST": whole, for one call.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function longWhen(instant, zone, locale) {
  const options = /** @type {const} */ ({ weekday: "long", month: "long", day: "numeric", year: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
  return formatted(instant, zone, options, locale);
}

/**
 * "Monday, November 23, 10:00 AM PST": whole but for the year, for the extension's popup and call page.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function dayAndTime(instant, zone, locale) {
  const options = /** @type {const} */ ({ weekday: "long", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
  return formatted(instant, zone, options, locale);
}

/**
 * "Monday, November 23, 2026": the day alone.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function longDate(instant, zone, locale) {
  return formatted(instant, zone, { weekday: "long", month: "long", day: "numeric", year: "numeric" }, locale);
}

/**
 * "10:00:05 AM": a time of day to the second, for an attempt's steps.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function clockTime(instant, zone, locale) {
  return formatted(instant, zone, { hour: "numeric", minute: "2-digit", second: "2-digit" }, locale);
}

/**
 * The zone's short name at `now` ("PST", or "GMT+10" where the language has none), for labels.
 * @param {string} zone
 * @param {Instant} [now]
 * @param {string} [locale]
 */
export function zoneAbbreviation(zone, now = Date.now(), locale) {
  const parts = format(locale, { timeZone: zone, timeZoneName: "short" }).formatToParts(millisOf(now));
  return parts.find((part) => part.type === "timeZoneName")?.value || zone;
}

/**
 * "3:51 PM GMT+10": the owner's clock at a call's time, for the calls list.
 * @param {Instant} instant
 * @param {string} zone
 * @param {string} [locale]
 */
export function ownerClock(instant, zone, locale) {
  return `${formatted(instant, zone, { hour: "numeric", minute: "2-digit" }, locale)} ${zoneAbbreviation(zone, instant, locale)}`;
}

/**
 * How long until `instant`, in words that fit a cell: "in 4 min 12 s", "in 2 h 5 min", "in 3 days", "due now".
 * @param {Instant} instant
 * @param {number} now ms since the epoch
 */
export function countdown(instant, now) {
  const ms = millisOf(instant) - now;
  if (ms <= 0) return "due now";
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / (60 * MINUTE));
  const minutes = Math.floor((ms % (60 * MINUTE)) / MINUTE);
  const seconds = (ms % MINUTE) / 1000;
  if (days >= 2) return `in ${days} days`;
  if (days >= 1) return `in 1 day ${hours} h`;
  if (hours >= 1) return `in ${hours} h ${minutes} min`;
  if (minutes >= 1) return `in ${minutes} min ${Math.floor(seconds)} s`;
  return `in ${Math.ceil(seconds)} s`;
}

/**
 * "1 min 7 s": how long an attempt lasted.
 * @param {Instant} from
 * @param {Instant} to
 */
export function lasted(from, to) {
  const seconds = Math.max(0, Math.round((millisOf(to) - millisOf(from)) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** @returns {string[]} every IANA zone this browser knows, for the searchable timezone field */
export function knownZones() {
  const supported = /** @type {{supportedValuesOf?: (key: string) => string[]}} */ (Intl).supportedValuesOf;
  return supported ? supported("timeZone") : ["America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "UTC"];
}

/** @param {string} hhmm */
const minutesOf = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first day after today (on the clinic's calendar) with business hours and not a closed date, within two
 * weeks, and its windows; null when there is none.
 * @param {Instant} now
 * @param {ClinicSettings} clinic
 * @returns {{date: string, windows: [string, string][]} | null}
 */
export function nextOpenDay(now, clinic) {
  const today = wallAsUtc(clinicToday(clinic.timezone, now), "00:00");
  const closed = new Set(clinic.closedDates || []);
  for (let ahead = 1; ahead <= 14; ahead += 1) {
    const day = new Date(today + ahead * DAY);
    const date = day.toISOString().slice(0, 10);
    const windows = (clinic.businessHours || {})[WEEKDAYS_FROM_SUNDAY[day.getUTCDay()]] || [];
    if (!closed.has(date) && windows.length > 0) return { date, windows };
  }
  return null;
}

/**
 * The day after `date` on the calendar: "2026-11-24" for "2026-11-23".
 * @param {string} date
 */
export const dayAfter = (date) => new Date(wallAsUtc(date, "00:00") + DAY).toISOString().slice(0, 10);

/**
 * A clinic day as the API's window takes it: from its 00:00 to its 24:00 (the next day's 00:00), however long a DST
 * change made it.
 * @param {string} date "2026-11-23"
 * @param {string} zone
 * @returns {{from: string, to: string} | null} ISO 8601 instants in UTC, or null when `date` is not a date
 */
export function dayWindow(date, zone) {
  const from = dayEdge(date, zone, "start");
  if (!from) return null;
  return { from, to: /** @type {string} */ (dayEdge(dayAfter(date), zone, "start")) };
}

/**
 * A sensible default for a discharge follow-up: the next open day after today, at 10:00 if the clinic is open
 * then, else when it opens. Only a suggestion: the API is what moves a time into business hours.
 * @param {Instant} now
 * @param {ClinicSettings} clinic
 * @returns {string} a wall time as a datetime-local input holds it, "2026-11-24T10:00"
 */
export function suggestedFollowUp(now, clinic) {
  const open = nextOpenDay(now, clinic);
  if (!open) return `${dayAfter(clinicToday(clinic.timezone, now))}T10:00`;
  const ten = 10 * 60;
  const atTen = open.windows.find(([start, end]) => minutesOf(start) <= ten && ten < minutesOf(end));
  return `${open.date}T${atTen ? "10:00" : open.windows[0][0]}`;
}
