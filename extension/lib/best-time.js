// Best time: a call scheduled with a window, in which the API places it at the hour this clinic's owners answer
// most. It is the popup's first choice once the clinic has dialed enough for its answer rates to mean something
// (GET /clinic/answer-rates); before that, the vet's own time is.
import { clinicToday, dayAfter, dayWindow, nextOpenDay } from "./time.js";
/** @import { AnswerRates, ClinicSettings } from "./api.js" */
/** @import { Instant } from "./time.js" */

/** Dials, over all the clinic's answer-rate cells, from which best time is the popup's first choice. */
export const BEST_TIME_MIN_DIALS = 50;

/** The answer rates' period the popup asks for, in days. */
export const ANSWER_RATE_DAYS = 90;

/**
 * @param {AnswerRates | null | undefined} rates
 * @returns {number} the dials counted in every cell
 */
export const totalDials = (rates) => (rates?.cells || []).reduce((sum, cell) => sum + (Number(cell.dials) || 0), 0);

/**
 * Whether the clinic has dialed enough for best time to be the first choice.
 * @param {AnswerRates | null | undefined} rates
 */
export const hasAnswerHistory = (rates) => totalDials(rates) >= BEST_TIME_MIN_DIALS;

/**
 * The day a best-time call goes out: tomorrow, or the next open day when the clinic is closed tomorrow, whole
 * (its 00:00 to its 24:00, clinic time), as the schedule body's window.
 * @param {Instant} now
 * @param {ClinicSettings} clinic
 * @returns {{date: string, tomorrow: boolean, window: {from: string, to: string}}}
 */
export function bestTimeDay(now, clinic) {
  const tomorrow = dayAfter(clinicToday(clinic.timezone, now));
  const date = nextOpenDay(now, clinic)?.date || tomorrow;
  const window = /** @type {{from: string, to: string}} */ (dayWindow(date, clinic.timezone));
  return { date, tomorrow: date === tomorrow, window };
}
