// The API's codes in a clinic's words, for the dashboard (web/, through its bundler) and the extension alike: a
// call's status and outcome, how Retell says it ended, the reasons a call needs follow-up and what a notice is about.
// One table, so the worklist, a call's page and the clinic settings never word a code differently.
/** @import { CallOutcome, CallStatus, Weekday } from "./api.js" */

/** @type {Record<CallStatus, string>} */
export const STATUS = {
  scheduled: "Scheduled",
  initiated: "Dialing",
  in_progress: "On the call",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * Every status, in a call's order.
 * @type {CallStatus[]}
 */
export const STATUSES = ["scheduled", "initiated", "in_progress", "completed", "failed", "cancelled"];

/**
 * @param {string | null | undefined} status
 * @returns {string}
 */
export const statusText = (status) => (status ? STATUS[/** @type {CallStatus} */ (status)] || status : "");

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

/**
 * The reasons that can flag a call for follow-up (`followUpReasons`, the clinic settings' `followUpRules.flag`), in
 * the order the settings page lists them.
 * @type {[string, string][]}
 */
export const FOLLOW_UP_REASONS = [
  ["pet_worse", "The owner says the pet is doing worse"],
  ["owner_concern", "The owner raised a concern"],
  ["callback_requested", "The owner asked the clinic to call back"],
  ["call_unsuccessful", "The call did not reach its goal (Retell's judgement)"],
  ["do_not_call_requested", "The owner asked not to be called again"],
  ["call_failed", "The call failed"],
  ["call_unresolved", "The call could not be resolved"],
];

const REASON = Object.fromEntries(FOLLOW_UP_REASONS);

/**
 * A follow-up reason in words; one not listed reads as its code with spaces.
 * @param {string} reason
 * @returns {string}
 */
export const reasonText = (reason) => REASON[reason] || reason.replaceAll("_", " ");

/**
 * What a notice can be about (the notification settings' `events`), in the order the settings page lists them.
 * @type {[string, string][]}
 */
export const NOTICE_EVENTS = [
  ["call_failed", "A call failed (retries used up, refused, unreachable number)"],
  ["call_unresolved", "A call could not be resolved or was stuck"],
  ["needs_follow_up", "A call needs follow-up (the reasons below)"],
  ["retell_account_unavailable", "Calls are paused: the voice-call account cannot place calls"],
  ["daily_digest", "The daily digest: yesterday's calls and the worklist"],
];

// ---- The clinic dashboard's words for the text follow-up (one block; the best time's and languages' are below). ----

/**
 * Where a text stands (the call's `text.status`).
 * @typedef {"scheduled" | "sent" | "replied" | "ended" | "failed" | "skipped"} TextStatus
 */

/** @type {Record<TextStatus, string>} */
export const TEXT_STATUS = {
  scheduled: "Text scheduled",
  sent: "Text sent",
  replied: "Replied by text",
  ended: "No reply to the text",
  failed: "Text failed",
  skipped: "Text not sent",
};

/**
 * Every text status, in a text's order.
 * @type {TextStatus[]}
 */
export const TEXT_STATUSES = ["scheduled", "sent", "replied", "ended", "failed", "skipped"];

/**
 * @param {string | null | undefined} status
 * @returns {string}
 */
export const textStatusText = (status) => (status ? TEXT_STATUS[/** @type {TextStatus} */ (status)] || status : "");

/** Why a text was not sent, could not be, or ended without its end being known (`text.reason`): every reason. */
export const TEXT_REASON = {
  no_text_consent: "The owner did not agree to texts when the call was scheduled",
  do_not_call: "The number is on the do-not-call list",
  texts_turned_off: "The clinic turned texts off before it went",
  erased: "The owner's data was erased before it went",
  no_text_agent: "No text agent (or number to text from) is set for the call's language",
  retell_refused: "The text service refused the text",
  not_confirmed: "The text service never confirmed that the text went out, so it was not sent again",
  chat_missing: "The text service has no record of the text",
  chat_error: "The text service ended the conversation with an error before the owner wrote",
  chat_unfinished: "The text service still showed the conversation open long after it should have ended",
};

/**
 * Why a text was not sent or failed, in words; one not listed reads as its code with spaces.
 * @param {string | null | undefined} reason
 * @returns {string}
 */
export const textReasonText = (reason) =>
  reason ? /** @type {Record<string, string>} */ (TEXT_REASON)[reason] || reason.replaceAll("_", " ") : "";

/**
 * When the clinic's text follow-up is sent (settings `textFollowUp.when`), in the order the settings page lists them.
 * @type {[string, string][]}
 */
export const TEXT_WHEN = [
  ["no_answer", "Every attempt went unanswered (or the line was busy)"],
  ["voicemail", "The call reached voicemail"],
];

// ---- The extension's words for text consent, languages and best time (kept as one block). ----

/**
 * The best-time choice's name: "Best time tomorrow", or its day when the clinic is closed tomorrow.
 * @param {string | null} day none for tomorrow; else the day in words ("Monday, December 7")
 * @returns {string}
 */
export const bestTimeLabel = (day) => (day ? `Best time on ${day}` : "Best time tomorrow");

/**
 * What the best-time choice goes by, said under it.
 * @param {number} dials the clinic's dials in the answer rates' period
 * @param {number} days the period
 * @param {boolean} enough whether they are enough to go by
 * @returns {string}
 */
export const bestTimeBasis = (dials, days, enough) =>
  enough
    ? `The hour that day when this clinic's owners answer most (${dials} dials in the last ${days} days), within business hours and the owner's calling hours.`
    : "Too few calls yet to know when this clinic's owners answer: the earliest time that day within business hours and the owner's calling hours.";

/** What the owner agreed to (`consent.channels`), as the popup's confirmation says it. */
export const CONSENT_CHANNEL = { call: "a call", text: "a text if the call goes unanswered" };

/** What the best-time choice says about itself (`chosen.reason`). */
const CHOSEN = {
  best_answer_rate: "Placed at the best time",
  earliest_open: "Placed at the earliest open time",
};

/**
 * "Placed at the best time: expected answer rate 42%" / "Placed at the earliest open time".
 * @param {{reason: string, expectedAnswerRate?: number | null} | null | undefined} chosen
 * @returns {string}
 */
export function chosenText(chosen) {
  if (!chosen) return "";
  const words = /** @type {Record<string, string>} */ (CHOSEN)[chosen.reason] || chosen.reason.replaceAll("_", " ");
  const rate = chosen.expectedAnswerRate;
  return chosen.reason === "best_answer_rate" && typeof rate === "number"
    ? `${words}: expected answer rate ${Math.round(rate * 100)}%`
    : words;
}

/**
 * A language's name in the user's language ("Spanish (United States)"), or its tag where the browser has no name.
 * @param {string} tag a BCP 47 tag, e.g. "es-US"
 * @param {string} [locale]
 * @returns {string}
 */
export function languageName(tag, locale) {
  try {
    const name = new Intl.DisplayNames(locale ? [locale] : undefined, { type: "language" }).of(tag);
    return name && name !== tag ? name : tag;
  } catch {
    return tag; // not a well-formed tag
  }
}
