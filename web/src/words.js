// What the dashboard calls things: the API's codes in a clinic's words.
/** @import { CallStatus, Weekday } from "../../extension/lib/api.js" */
/** @import { CallOutcome } from "./types.js" */

export { STATUS } from "../../extension/lib/status.js";

/** @type {CallStatus[]} */
export const STATUSES = ["scheduled", "initiated", "in_progress", "completed", "failed", "cancelled"];

/** @type {Record<CallOutcome, string>} */
export const OUTCOME = {
  answered: "Answered",
  voicemail: "Voicemail",
  no_answer: "No answer",
  busy: "Line busy",
  concurrency_limited: "Waited for a free line",
  not_connected: "Not connected",
  error: "Error",
  dial_rejected: "Dial refused",
};

/** @type {[Weekday, string][]} */
export const WEEKDAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];

/**
 * @param {string | null | undefined} outcome
 * @returns {string}
 */
export const outcomeText = (outcome) => (outcome ? OUTCOME[/** @type {CallOutcome} */ (outcome)] || outcome : "");
