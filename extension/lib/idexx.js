// IDEXX Neo's consultation data, fetched with the vet's own IDEXX session (its cookies; host permission).
import { requestJson } from "./http.js";
/** @import { JsonResponse } from "./http.js" */
/** @import { Preferences } from "./preferences.js" */

/** @typedef {{pageData: unknown}} IdexxDocument IDEXX Neo's page-data answer, sent to the API for a preview */

/**
 * Why the consultation could not be read.
 * @typedef {{ok: false, kind: "idexx_unreachable" | "idexx_signed_out" | "idexx_not_found"}
 *   | {ok: false, kind: "idexx_error", status: number}} IdexxFailure
 */

/**
 * @param {Preferences} preferences
 * @param {string} consultationId
 * @returns {Promise<{ok: true, document: IdexxDocument} | IdexxFailure>}
 */
export async function fetchPageData(preferences, consultationId) {
  const url = `${preferences.idexxBase}/consultations/${encodeURIComponent(consultationId)}/page-data`;
  /** @type {JsonResponse<IdexxDocument>} */
  const response = await requestJson(url, { credentials: "include", headers: { Accept: "application/json" } });
  if (response.status === 0) return { ok: false, kind: "idexx_unreachable" };
  if (response.status === 401 || response.status === 403) return { ok: false, kind: "idexx_signed_out" };
  if (response.status === 404) return { ok: false, kind: "idexx_not_found" };
  if (response.status === 200 && !response.body && response.redirected) {
    return { ok: false, kind: "idexx_signed_out" }; // sent to the login page instead of the data
  }
  if (response.status !== 200 || !response.body?.pageData) {
    return { ok: false, kind: "idexx_error", status: response.status };
  }
  return { ok: true, document: response.body };
}
