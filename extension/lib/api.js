// The scheduling API. Every answer becomes {ok: true, status, data} or {ok: false, kind, ...} so the popup can
// always say what happened and what to do next.
import { requestJson } from "./http.js";
import { loadPreferences } from "./preferences.js";
import { currentIdToken, getSession } from "./session.js";
/** @import { JsonResponse } from "./http.js" */

// What the API sends and takes (docs/openapi.json has all of it): the parts the extension reads or writes.

/** @typedef {"scheduled" | "initiated" | "in_progress" | "completed" | "failed" | "cancelled"} CallStatus */
/** @typedef {"mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun"} Weekday */

/**
 * What happened on the phone, final.
 * @typedef {"answered" | "voicemail" | "no_answer" | "busy" | "concurrency_limited" | "not_connected" | "error"
 *   | "dial_rejected" | "callback_requested" | "do_not_call_requested" | "declined" | "ivr" | "account_unavailable"
 *   | "stopped" | "lost"} CallOutcome
 */

/**
 * @typedef {object} CallMetadata
 * @property {string} [consultation_id]
 * @property {string | number} [provider_id]
 * @property {string} [source]
 */

/**
 * A call (CallView).
 * @typedef {object} Call
 * @property {string} callId
 * @property {CallStatus} status
 * @property {string} petName
 * @property {string} ownerName
 * @property {string} phoneNumber
 * @property {string | null} [vetName]
 * @property {string | null} [notes]
 * @property {string} scheduledFor ISO 8601 instant
 * @property {string} requestedFor the time asked for, before a move into business hours
 * @property {boolean} rescheduled
 * @property {string} timezone the clinic's IANA zone
 * @property {number} attempt
 * @property {number} maxAttempts
 * @property {string | null} [nextRetryAt]
 * @property {CallOutcome | null} [outcome]
 * @property {{summary?: string | null} | null} [analysis]
 * @property {string | null} [ownerTimezone] the owner's zone, when its clock differs from the clinic's
 * @property {string | null} [ownerLocalTime] scheduledFor on the owner's clock (ISO 8601 with its offset)
 * @property {Consent | null} [consent]
 * @property {string} [language] BCP 47, the language the call is placed in
 * @property {Chosen | null} [chosen] what a best-time choice says about itself; null for a time the vet picked
 */

/**
 * How a call scheduled for the best time in a window had its time chosen.
 * @typedef {{reason: "best_answer_rate" | "earliest_open", expectedAnswerRate?: number | null}} Chosen
 */

/**
 * A clinic's settings (ClinicSettings).
 * @typedef {object} ClinicSettings
 * @property {string} timezone IANA zone
 * @property {Partial<Record<Weekday, [string, string][]>>} businessHours [start, end) windows, "HH:MM"
 * @property {string[]} closedDates YYYY-MM-DD
 * @property {boolean} [requireConsent] a call needs the owner's recorded consent (on unless the clinic turned it off)
 * @property {{start: string, end: string}} [ownerCallingHours] when owners may be called, on their own clock
 * @property {string} [defaultLanguage] BCP 47: a call's language when none is given
 * @property {Record<string, {agentId?: string | null, textAgentId?: string | null}>} [agents] the clinic's agents by
 *   language (BCP 47): the languages its calls can be placed in
 */

/**
 * GET /clinic/answer-rates: the clinic's dials and answers by the owner's weekday and hour (cells with dials only).
 * @typedef {object} AnswerRates
 * @property {number} days
 * @property {{weekday: Weekday, hour: number, dials: number, answered: number}[]} cells
 * @property {{weekday: Weekday, hour: number, rate: number}[]} best
 */

/**
 * A schedule body read from a consultation, without scheduledFor; what IDEXX Neo has no value for is absent.
 * @typedef {object} CallRequest
 * @property {string} [phoneNumber]
 * @property {string} [petName]
 * @property {string} [ownerName]
 * @property {string} [vetName]
 * @property {string} [clinicName]
 * @property {string} [clinicPhone]
 * @property {string} [dischargeSummary]
 * @property {string} [notes]
 * @property {string} [language] BCP 47: the client record's preferred language
 * @property {CallMetadata} metadata
 */

/**
 * What to check in a preview: `field` is a field of the schedule body (or metadata.consultation_id).
 * @typedef {{field: string, code: string, message: string}} PreviewWarning
 */

/** @typedef {{callRequest: CallRequest, warnings: PreviewWarning[]}} IdexxPreview */

/**
 * POST /calls/schedule's body (ScheduleCallRequest).
 * The owner's consent to an automated call, as sent (and, with who and when, as recorded); `channels` says whether
 * a text may follow an unanswered call.
 * @typedef {{
 *   given: boolean, method?: string, note?: string | null, channels?: ("call" | "text")[], recordedBy?: string,
 *   recordedAt?: string,
 * }} Consent
 */

/**
 * @typedef {object} ScheduleBody
 * @property {string} phoneNumber
 * @property {string} petName
 * @property {string} ownerName
 * @property {string} [scheduledFor] ISO 8601 instant; none with a window
 * @property {{from: string, to: string}} [window] best time: the API picks the hour in it (ISO 8601 instants)
 * @property {string} timezone
 * @property {CallMetadata} metadata
 * @property {string} [language] BCP 47
 * @property {string} [vetName]
 * @property {string} [clinicName]
 * @property {string} [clinicPhone]
 * @property {string} [dischargeSummary]
 * @property {string} [notes]
 * @property {Consent} [consent]
 */

/**
 * One of an error's details: the field a 422 is about, the existing call of a duplicate_consultation, ...
 * @typedef {{field?: string, message?: string, callId?: string, [key: string]: unknown}} ErrorDetail
 */

/**
 * The envelope of every answer: {success: true, data} or {success: false, error}.
 * @template T
 * @typedef {{
 *   success?: boolean, data?: T, error?: {code?: string, message?: string, details?: unknown}, message?: string,
 * }} Envelope
 */

/**
 * @template T
 * @typedef {{ok: true, status: number, data: T}} ApiSuccess
 */

/**
 * The API answered with an error.
 * @typedef {object} HttpFailure
 * @property {false} ok
 * @property {"http"} kind
 * @property {number} status
 * @property {string} code the error's code, e.g. duplicate_consultation; server_error or unexpected without one
 * @property {string | null} message
 * @property {ErrorDetail[]} details
 * @property {string | null | undefined} requestId
 */

/**
 * Why a call of the API gave no data.
 * @typedef {{ok: false, kind: "not_configured"}
 *   | {ok: false, kind: "signed_out", expired: boolean}
 *   | {ok: false, kind: "network", failure: JsonResponse["failure"], apiBase: string}
 *   | HttpFailure} ApiFailure
 */

/**
 * @template T
 * @typedef {ApiSuccess<T> | ApiFailure} ApiResult
 */

/**
 * @template [T=unknown] the data of a successful answer
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, idempotencyKey?: string, ifMatch?: number}} [options] ifMatch: the call's version the
 *   change was decided on (409 changed_meanwhile if it has changed since)
 * @returns {Promise<ApiResult<T>>}
 */
export async function callApi(method, path, { body, idempotencyKey, ifMatch } = {}) {
  const preferences = await loadPreferences();
  if (!preferences.apiBase) return { ok: false, kind: "not_configured" };
  let token = await currentIdToken(preferences);
  if (!token) return { ok: false, kind: "signed_out", expired: Boolean(await getSession()) };

  /**
   * @param {string} bearer
   * @returns {Promise<JsonResponse<Envelope<T>>>}
   */
  const send = (bearer) => {
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${bearer}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    if (ifMatch !== undefined) headers["If-Match"] = `"${ifMatch}"`;
    return requestJson(`${preferences.apiBase}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  let response = await send(token);
  if (response.status === 401) {
    // Revoked or expired early (clock skew): one refresh, one retry.
    token = await currentIdToken(preferences, { forceRefresh: true });
    if (token) response = await send(token);
    if (!token || response.status === 401) return { ok: false, kind: "signed_out", expired: true };
  }
  if (response.status === 0) {
    return { ok: false, kind: "network", failure: response.failure, apiBase: preferences.apiBase };
  }
  if (response.status >= 200 && response.status < 300) {
    // Every route the extension uses answers a success with data.
    return { ok: true, status: response.status, data: /** @type {T} */ (response.body?.data ?? null) };
  }
  const error = response.body?.error || {};
  return {
    ok: false,
    kind: "http",
    status: response.status,
    code: error.code || (response.status >= 500 ? "server_error" : "unexpected"),
    message: error.message || response.body?.message || null,
    details: Array.isArray(error.details) ? /** @type {ErrorDetail[]} */ (error.details) : [],
    requestId: response.requestId,
  };
}
