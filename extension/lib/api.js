// The scheduling API. Every answer becomes {ok: true, status, data} or {ok: false, kind, ...} so the popup can
// always say what happened and what to do next.
import { requestJson } from "./http.js";
import { loadSettings } from "./settings.js";
import { currentIdToken, getSession } from "./session.js";

export async function callApi(method, path, { body, idempotencyKey } = {}) {
  const settings = await loadSettings();
  if (!settings.apiBase) return { ok: false, kind: "not_configured" };
  let token = await currentIdToken(settings);
  if (!token) return { ok: false, kind: "signed_out", expired: Boolean(await getSession()) };

  const send = (bearer) => {
    const headers = { Authorization: `Bearer ${bearer}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    return requestJson(`${settings.apiBase}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  let response = await send(token);
  if (response.status === 401) {
    // Revoked or expired early (clock skew): one refresh, one retry.
    token = await currentIdToken(settings, { forceRefresh: true });
    if (token) response = await send(token);
    if (!token || response.status === 401) return { ok: false, kind: "signed_out", expired: true };
  }
  if (response.status === 0) {
    return { ok: false, kind: "network", failure: response.failure, apiBase: settings.apiBase };
  }
  if (response.status >= 200 && response.status < 300) {
    return { ok: true, status: response.status, data: response.body?.data ?? null };
  }
  const error = response.body?.error || {};
  return {
    ok: false,
    kind: "http",
    status: response.status,
    code: error.code || (response.status >= 500 ? "server_error" : "unexpected"),
    message: error.message || response.body?.message || null,
    details: Array.isArray(error.details) ? error.details : [],
    requestId: response.requestId,
  };
}
