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
  callback_requested: "Asked for a call back",
  do_not_call_requested: "Asked not to be called",
  declined: "Declined the call",
  ivr: "Reached a phone menu",
  account_unavailable: "Calling account unavailable",
  stopped: "Stopped in Retell",
  lost: "Result unknown",
};

/** How Retell says a call ended (its `disconnection_reason`), for the reasons a clinic sees most. */
const DISCONNECTION = {
  agent_hangup: "The agent ended the call",
  user_hangup: "The owner hung up",
  call_transfer: "Transferred",
  voicemail_reached: "Reached voicemail",
  inactivity: "Ended after silence",
  max_duration_reached: "Reached the longest call allowed",
  dial_no_answer: "No answer",
  dial_busy: "Line busy",
  dial_failed: "The dial failed",
  invalid_destination: "Not a number that can be called",
  user_declined: "The owner declined the call",
  user_requested_callback: "The owner asked for a call back",
  user_requested_dnc: "The owner asked not to be called",
  concurrency_limit_reached: "No free line at Retell",
  ivr_reached: "Reached a phone menu",
};

/**
 * Retell's disconnection reason in words; one not listed reads as its code with spaces ("error llm websocket").
 * @param {string | null | undefined} reason
 * @returns {string}
 */
export const disconnectionText = (reason) =>
  reason ? /** @type {Record<string, string>} */ (DISCONNECTION)[reason] || reason.replaceAll("_", " ") : "";

/** Where a call was scheduled from (`metadata.source`). */
const SOURCE = { idexx_neo: "IDEXX Neo, through the Chrome extension" };

/**
 * @param {unknown} source
 * @returns {string}
 */
export const sourceText = (source) =>
  typeof source === "string" ? /** @type {Record<string, string>} */ (SOURCE)[source] || source : "";

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
