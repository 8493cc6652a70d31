// fetch with a time limit that never throws: every outcome is a value the caller can turn into a message.

/**
 * What came back. `status` is 0 when nothing did, and then `failure` says why. `body` is the parsed JSON, or null
 * when there was none or it was not JSON; its type `T` is what the caller expects, not something checked here.
 * @template [T=unknown]
 * @typedef {object} JsonResponse
 * @property {number} status
 * @property {T | null} body
 * @property {boolean} [redirected]
 * @property {string | null} [requestId] API Gateway's `apigw-requestid`
 * @property {"timeout" | "network"} [failure]
 */

/**
 * @template [T=unknown]
 * @param {string} url
 * @param {RequestInit} [init]
 * @param {number} [timeoutMs]
 * @returns {Promise<JsonResponse<T>>}
 */
export async function requestJson(url, init = {}, timeoutMs = 15000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null; // an HTML login page or a proxy's error page: the caller decides from the status
    }
    return {
      status: response.status,
      body,
      redirected: response.redirected,
      requestId: response.headers.get("apigw-requestid"),
    };
  } catch (error) {
    const failure = /** @type {Error} */ (error).name === "AbortError" ? "timeout" : "network";
    return { status: 0, body: null, failure };
  } finally {
    clearTimeout(timer);
  }
}
