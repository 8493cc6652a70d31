// The service worker: the only part that talks to the network (IDEXX Neo, the scheduling API, sign-in).
// Pages send it messages {type, ...} and get plain values back; nothing about the patient is stored.
import { callApi } from "./lib/api.js";
import { ANSWER_RATE_DAYS } from "./lib/best-time.js";
import { fetchPageData } from "./lib/idexx.js";
import { PreferenceError, loadPreferences, savePreferences } from "./lib/preferences.js";
import {
  completeChallenge,
  describeSession,
  fetchLocalToken,
  getSession,
  signIn,
  signOut,
  useLocalToken,
} from "./lib/session.js";
/** @import { Handlers, Messages, Prepared } from "./lib/messages.js" */
/** @import { AnswerRates, ApiResult, ClinicSettings, IdexxPreview } from "./lib/api.js" */

/**
 * @param {{consultationId: string}} message
 * @returns {Promise<Prepared>}
 */
async function prepareConsultation({ consultationId }) {
  const preferences = await loadPreferences();
  if (!preferences.apiBase) return { ok: false, kind: "not_configured" };
  if (!(await getSession())) return { ok: false, kind: "signed_out", expired: false };
  const page = await fetchPageData(preferences, consultationId);
  if (!page.ok) return page;
  /** @type {Promise<ApiResult<IdexxPreview>>} */
  const previewing = callApi("POST", "/integrations/idexx/preview", { body: page.document });
  /** @type {Promise<ApiResult<ClinicSettings>>} */
  const readingClinic = callApi("GET", "/clinic/settings");
  /** @type {Promise<ApiResult<AnswerRates>>} */
  const readingRates = callApi("GET", `/clinic/answer-rates?days=${ANSWER_RATE_DAYS}`);
  const [preview, clinic, rates] = await Promise.all([previewing, readingClinic, readingRates]);
  if (!preview.ok) return preview;
  if (!clinic.ok) return clinic;
  // Without its answer rates the popup still schedules: best time is then only not its first choice.
  const answerRates = rates.ok ? rates.data : null;
  return { ok: true, preview: preview.data, clinic: clinic.data, answerRates, idexxBase: preferences.idexxBase };
}

/** @type {Handlers} */
const HANDLERS = {
  "consultation.prepare": prepareConsultation,
  "calls.schedule": ({ body, idempotencyKey }) => callApi("POST", "/calls/schedule", { body, idempotencyKey }),
  "calls.get": ({ callId }) => callApi("GET", `/calls/${encodeURIComponent(callId)}`),
  "session.describe": async () => describeSession(await getSession()),
  "session.signIn": async ({ username, password }) => signIn(await loadPreferences(), username, password),
  "session.completeChallenge": async (message) => completeChallenge(await loadPreferences(), message),
  "session.useToken": ({ token }) => useLocalToken(token),
  "session.fetchLocalToken": async (message) => fetchLocalToken(await loadPreferences(), message),
  "session.signOut": async () => signOut(await loadPreferences()),
  "preferences.get": () => loadPreferences(),
  "preferences.save": ({ preferences }) => savePreferences(preferences),
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = HANDLERS[/** @type {keyof Messages} */ (message?.type)];
  if (!handler || sender.id !== chrome.runtime.id) return false;
  Promise.resolve()
    .then(() => handler(message))
    .then(
      (value) => sendResponse({ value }),
      (error) => sendResponse({ error: { message: error.message, field: error instanceof PreferenceError ? error.field : undefined } }),
    );
  return true; // answered asynchronously
});
