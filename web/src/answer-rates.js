// The answer-rate heat map's arithmetic, pure (unit-tested under node --test): the sparse cells of
// GET /clinic/answer-rates filled into a weekday-by-hour grid, each cell's shade and the words it is read out with.
import { WEEKDAYS } from "../../extension/lib/words.js";
/** @import { Weekday } from "../../extension/lib/api.js" */

/** @typedef {{weekday: Weekday, hour: number, dials: number, answered: number}} AnswerRateCell one weekday and hour */
/** @typedef {{weekday: Weekday, hour: number, rate: number}} BestHour */

/**
 * GET /clinic/answer-rates: only cells with dials are sent.
 * @typedef {object} AnswerRates
 * @property {number} days
 * @property {string} timezoneBasis "owner": weekdays and hours on the owner's clock
 * @property {AnswerRateCell[]} cells
 * @property {BestHour[]} best at most 3, highest rate first
 */

/**
 * A cell of the filled grid: `rate` is null where nobody was dialed.
 * @typedef {{weekday: Weekday, hour: number, dials: number, answered: number, rate: number | null}} GridCell
 */

/** @typedef {{weekday: Weekday, name: string, cells: GridCell[]}} GridRow */

/**
 * The hours the grid shows by default: owners are only ever dialed between 08:00 and 20:00 on their own clock (the
 * widest calling hours a clinic may set), so the other hours would be twelve columns that are always empty and
 * would make the grid twice as wide on a phone. An hour with dials outside them (older calls) still gets its column.
 */
export const CALLING_HOURS = /** @type {const} */ ({ first: 8, last: 19 });

/** How many shades the scale has: 0-19%, 20-39%, 40-59%, 60-79%, 80-100%. */
export const SHADES = 5;

/**
 * The hours to show: the calling hours, widened to every hour that has dials.
 * @param {AnswerRateCell[]} cells
 * @returns {number[]}
 */
export function hoursShown(cells) {
  let first = Number(CALLING_HOURS.first);
  let last = Number(CALLING_HOURS.last);
  for (const cell of cells) {
    if (!validCell(cell) || cell.dials <= 0) continue;
    first = Math.min(first, cell.hour);
    last = Math.max(last, cell.hour);
  }
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/** @param {AnswerRateCell} cell */
function validCell(cell) {
  return WEEKDAYS.some(([day]) => day === cell.weekday) && Number.isInteger(cell.hour) && cell.hour >= 0 && cell.hour <= 23;
}

/**
 * The grid, Monday to Sunday by `hours`: every cell present, empty ones with no dials (a repeated cell is added up,
 * one for a weekday or hour that does not exist is left out).
 * @param {AnswerRateCell[]} cells
 * @param {number[]} hours
 * @returns {GridRow[]}
 */
export function fillGrid(cells, hours) {
  /** @type {Map<string, {dials: number, answered: number}>} */
  const counts = new Map();
  for (const cell of cells) {
    if (!validCell(cell)) continue;
    const key = `${cell.weekday}-${cell.hour}`;
    const seen = counts.get(key) || { dials: 0, answered: 0 };
    counts.set(key, { dials: seen.dials + Math.max(0, cell.dials), answered: seen.answered + Math.max(0, cell.answered) });
  }
  return WEEKDAYS.map(([weekday, name]) => ({
    weekday,
    name,
    cells: hours.map((hour) => {
      const { dials, answered } = counts.get(`${weekday}-${hour}`) || { dials: 0, answered: 0 };
      return { weekday, hour, dials, answered, rate: dials > 0 ? Math.min(1, answered / dials) : null };
    }),
  }));
}

/**
 * A rate as the page shows it: "42%".
 * @param {number} rate 0-1
 */
export const percent = (rate) => `${Math.round(rate * 100)}%`;

/**
 * The shade of a rate, 0 (lowest) to SHADES - 1, or "none" for a cell without dials. Taken from the rounded percent
 * the cell shows, so a cell reading "20%" is never in the "0-19%" shade.
 * @param {number | null} rate
 * @returns {number | "none"}
 */
export function shadeOf(rate) {
  if (rate === null || !Number.isFinite(rate)) return "none";
  const shown = Math.round(Math.min(1, Math.max(0, rate)) * 100);
  return Math.min(SHADES - 1, Math.floor(shown / (100 / SHADES)));
}

/**
 * The legend: each shade and the percents it covers ("0–19%" ... "80–100%").
 * @returns {{shade: number, label: string}[]}
 */
export function legend() {
  const step = 100 / SHADES;
  return Array.from({ length: SHADES }, (_, shade) => ({
    shade,
    label: `${shade * step}–${shade === SHADES - 1 ? 100 : (shade + 1) * step - 1}%`,
  }));
}

/** @param {number} hour */
const hh = (hour) => String(hour).padStart(2, "0");

/**
 * An hour of the owner's clock as a span: "09:00–10:00" (the last "23:00–24:00").
 * @param {number} hour 0-23
 */
export const hourSpan = (hour) => `${hh(hour)}:00–${hh(hour + 1)}:00`;

/**
 * @param {Weekday} weekday
 * @returns {string} "Monday"
 */
export const dayName = (weekday) => WEEKDAYS.find(([day]) => day === weekday)?.[1] || weekday;

/**
 * What a cell says on hover, on focus and to a screen reader:
 * "Monday 09:00–10:00: 5 of 12 dials answered (42%)", or "Monday 09:00–10:00: no dials".
 * @param {GridCell} cell
 */
export function cellText(cell) {
  const where = `${dayName(cell.weekday)} ${hourSpan(cell.hour)}`;
  if (cell.rate === null) return `${where}: no dials`;
  const dials = cell.dials === 1 ? "1 dial" : `${cell.dials} dials`;
  return `${where}: ${cell.answered} of ${dials} answered (${percent(cell.rate)})`;
}

/**
 * The best hours in words, highest rate first: "Tuesday 10:00–11:00 (62% answered)".
 * @param {BestHour[]} best
 * @returns {string[]}
 */
export function bestHoursText(best) {
  return [...best]
    .filter((hour) => Number.isFinite(hour.rate))
    .sort((a, b) => b.rate - a.rate)
    .map((hour) => `${dayName(hour.weekday)} ${hourSpan(hour.hour)} (${percent(hour.rate)} answered)`);
}

/**
 * The cell a key press moves focus to in a grid of `rows` x `columns` (arrow keys, Home and End on a row, Ctrl+Home
 * and Ctrl+End to the corners); null for any other key.
 * @param {{row: number, column: number}} at
 * @param {string} key KeyboardEvent.key
 * @param {boolean} ctrl
 * @param {number} rows
 * @param {number} columns
 * @returns {{row: number, column: number} | null}
 */
export function moveFocus(at, key, ctrl, rows, columns) {
  const clamp = (/** @type {number} */ value, /** @type {number} */ size) => Math.max(0, Math.min(size - 1, value));
  switch (key) {
    case "ArrowLeft":
      return { row: at.row, column: clamp(at.column - 1, columns) };
    case "ArrowRight":
      return { row: at.row, column: clamp(at.column + 1, columns) };
    case "ArrowUp":
      return { row: clamp(at.row - 1, rows), column: at.column };
    case "ArrowDown":
      return { row: clamp(at.row + 1, rows), column: at.column };
    case "Home":
      return ctrl ? { row: 0, column: 0 } : { row: at.row, column: 0 };
    case "End":
      return ctrl ? { row: rows - 1, column: columns - 1 } : { row: at.row, column: columns - 1 };
    default:
      return null;
  }
}
