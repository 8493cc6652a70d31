// Pages ask the service worker; its errors come back as rejections with the field they concern, if any.
/** @import { AnswerRates, ApiFailure, ApiResult, Call, ClinicSettings, IdexxPreview, ScheduleBody } from "./api.js" */
/** @import { IdexxFailure } from "./idexx.js" */
/** @import { Challenge, SessionSummary, SignInStep } from "./session.js" */
/** @import { Preferences, PreferencesInput } from "./preferences.js" */

/**
 * A consultation read and previewed, with the clinic's settings for the time picker and languages, and its answer
 * rates for best time (null when they could not be read).
 * @typedef {{ok: true, preview: IdexxPreview, clinic: ClinicSettings, answerRates: AnswerRates | null, idexxBase: string}
 *   | ApiFailure | IdexxFailure} Prepared
 */

/**
 * Every message a page sends to the service worker (background.js answers it): what it carries and the answer.
 * @typedef {{
 *   "consultation.prepare": {request: {consultationId: string}, answer: Prepared},
 *   "calls.schedule": {request: {body: ScheduleBody, idempotencyKey: string}, answer: ApiResult<Call>},
 *   "calls.get": {request: {callId: string}, answer: ApiResult<Call>},
 *   "session.describe": {request: Record<string, never>, answer: SessionSummary},
 *   "session.signIn": {request: {username: string, password: string}, answer: SignInStep},
 *   "session.completeChallenge": {request: Challenge & {answer: string}, answer: SignInStep},
 *   "session.useToken": {request: {token: string}, answer: SessionSummary},
 *   "session.fetchLocalToken": {request: {clinicId: string, role: string}, answer: SessionSummary},
 *   "session.signOut": {request: Record<string, never>, answer: void},
 *   "preferences.get": {request: Record<string, never>, answer: Preferences},
 *   "preferences.save": {request: {preferences: PreferencesInput}, answer: Preferences},
 * }} Messages
 */

/**
 * How the service worker answers each message (background.js).
 * @typedef {{
 *   [K in keyof Messages]: (message: Messages[K]["request"]) => Messages[K]["answer"] | Promise<Messages[K]["answer"]>
 * }} Handlers
 */

/** @typedef {Error & {field?: string}} AskError a rejection of `ask`: `field` is the preference it is about */

/**
 * @template {keyof Messages} K
 * @param {K} type
 * @param {Messages[K]["request"]} [payload]
 * @returns {Promise<Messages[K]["answer"]>}
 */
export async function ask(type, payload = {}) {
  const answer = await chrome.runtime.sendMessage({ type, ...payload });
  if (answer?.error) {
    /** @type {AskError} */
    const error = new Error(answer.error.message);
    error.field = answer.error.field;
    throw error;
  }
  return answer?.value;
}

/**
 * Opens a page of the extension (call.html?id=...) in a new tab.
 * @param {string} path
 */
export function openExtensionPage(path) {
  return chrome.tabs.create({ url: chrome.runtime.getURL(path) });
}

/**
 * Opens a call in a new tab: on the clinic dashboard when its address is set, else on the extension's call page.
 * @param {string} callId
 */
export async function openCall(callId) {
  const { dashboardUrl } = await ask("preferences.get");
  if (!dashboardUrl) return openExtensionPage(`call.html?id=${encodeURIComponent(callId)}`);
  return chrome.tabs.create({ url: `${dashboardUrl}/calls/${encodeURIComponent(callId)}` });
}
