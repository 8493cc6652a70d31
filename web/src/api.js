// The dashboard's calls of the API: the extension's client (extension/lib/api.js) with the session's token, plus
// what only the dashboard needs (a recording). A lost sign-in anywhere sends the app back to its sign-in page.
import { callApi } from "../../extension/lib/api.js";
import { currentIdToken } from "../../extension/lib/session.js";
import { loadPreferences } from "../../extension/lib/preferences.js";
/** @import { ApiFailure, ApiResult } from "../../extension/lib/api.js" */

/** @type {Set<(expired: boolean) => void>} */
const signedOutListeners = new Set();

/**
 * @param {(expired: boolean) => void} listener called when the API no longer accepts the session
 * @returns {() => void} unsubscribe
 */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/**
 * @template [T=unknown]
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, ifMatch?: number}} [options]
 * @returns {Promise<ApiResult<T>>}
 */
export async function api(method, path, options) {
  /** @type {ApiResult<T>} */
  const result = await callApi(method, path, options);
  if (!result.ok && result.kind === "signed_out") for (const listener of signedOutListeners) listener(result.expired);
  return result;
}

/**
 * What went wrong, in a sentence with the next step; for failures a page has no better word for.
 * @param {ApiFailure} failure
 * @returns {string}
 */
export function failureText(failure) {
  switch (failure.kind) {
    case "network":
      return `Can't reach the scheduling service (${failure.apiBase})${failure.failure === "timeout" ? ": it did not answer in time" : ""}. Check your connection; the page tries again by itself.`;
    case "signed_out":
      return "Your sign-in has ended. Sign in again.";
    case "not_configured":
      return "This dashboard has no API address in its configuration (config.json).";
    default:
      if (failure.status === 403) return "Your account can only view calls: changing them needs a clinic admin.";
      if (failure.status >= 500) {
        const reference = failure.requestId ? ` (reference ${failure.requestId})` : "";
        return `The scheduling service had a problem${reference}. Try again in a minute; if it keeps happening, tell your clinic admin.`;
      }
      return failure.message || `The scheduling service refused this (HTTP ${failure.status}).`;
  }
}

/**
 * @typedef {{ok: true, url: string} | {ok: false, reason: "none" | "unavailable", text: string}} Recording
 */

/**
 * A call's recording, ready for an <audio> element. GET /calls/{callId}/recording, asked for JSON, answers 200 with
 * a fresh link from Retell in data.url (an <audio> element cannot send the token, and a redirect cannot be read
 * without following it), or 404 no_recording.
 * @param {string} callId
 * @returns {Promise<Recording>}
 */
export async function fetchRecording(callId) {
  const preferences = await loadPreferences();
  const token = await currentIdToken(preferences);
  if (!token) {
    for (const listener of signedOutListeners) listener(true);
    return { ok: false, reason: "unavailable", text: "Your sign-in has ended. Sign in again." };
  }
  try {
    const response = await fetch(`${preferences.apiBase}/calls/${encodeURIComponent(callId)}/recording`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    });
    if (response.status === 404) {
      return { ok: false, reason: "none", text: "No recording was kept for this call." };
    }
    const type = response.headers.get("content-type") || "";
    if (response.ok && type.includes("application/json")) {
      const body = await response.json();
      const url = body?.data?.url;
      if (typeof url === "string") return { ok: true, url };
    }
    if (response.ok) return { ok: true, url: URL.createObjectURL(await response.blob()) };
    return { ok: false, reason: "unavailable", text: `The recording could not be loaded (HTTP ${response.status}).` };
  } catch {
    return { ok: false, reason: "unavailable", text: "The recording could not be loaded. Check your connection and try again." };
  }
}

/**
 * @typedef {{ok: true, csv: Blob, truncated: boolean} | {ok: false, text: string}} CallsExport
 */

/**
 * The clinic's calls as CSV (GET /calls/export, admins): the file a spreadsheet opens, and whether the window held
 * more calls than one export gives (10,000).
 * @param {string} query `from` and `to`, as for the list
 * @returns {Promise<CallsExport>}
 */
export async function exportCalls(query) {
  const preferences = await loadPreferences();
  const token = await currentIdToken(preferences);
  if (!token) {
    for (const listener of signedOutListeners) listener(true);
    return { ok: false, text: "Your sign-in has ended. Sign in again." };
  }
  try {
    const response = await fetch(`${preferences.apiBase}/calls/export${query ? `?${query}` : ""}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/csv" },
    });
    if (response.status === 403) return { ok: false, text: "Only a clinic admin can export the calls." };
    if (!response.ok) return { ok: false, text: `The export could not be made (HTTP ${response.status}).` };
    return { ok: true, csv: await response.blob(), truncated: response.headers.get("x-export-truncated") === "true" };
  } catch {
    return { ok: false, text: "The export could not be made. Check your connection and try again." };
  }
}
