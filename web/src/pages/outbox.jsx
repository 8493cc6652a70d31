// The local stack's outbox (GET /local/outbox, make dev only): every notice it "sent", emails through moto's SES
// and chat webhooks it captured, oldest first, so a developer sees what a scenario tells the clinic.
import { requestJson } from "../../../extension/lib/http.js";
import { shortWhen } from "../../../extension/lib/time.js";
import { failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { Notice } from "../components/notice.jsx";
import { useLoad } from "../hooks.js";
/** @import { ApiResult } from "../../../extension/lib/api.js" */

/**
 * @typedef {object} OutboxEntry
 * @property {"email" | "chat"} channel
 * @property {string} to
 * @property {string} subject
 * @property {string | null} callId
 * @property {string} event
 * @property {string} sentAt
 */

/**
 * GET /local/outbox: no sign-in, and a plain list rather than the API's envelope.
 * @param {string} apiBase
 * @returns {Promise<ApiResult<OutboxEntry[]>>}
 */
async function readOutbox(apiBase) {
  const response = await requestJson(`${apiBase}/local/outbox`);
  if (response.status === 0) return { ok: false, kind: "network", failure: response.failure, apiBase };
  if (response.status === 200 && Array.isArray(response.body)) return { ok: true, status: 200, data: response.body };
  return { ok: false, kind: "http", status: response.status, code: "unexpected", message: null, details: [], requestId: response.requestId };
}

export function OutboxPage() {
  const { config, settings } = useClinic();
  const outbox = useLoad(() => readOutbox(config.apiBase), [config.apiBase], { refreshSeconds: 5 });
  const entries = outbox.data;
  const problem = outbox.failure && `The local outbox could not be read: ${failureText(outbox.failure)} It exists only in make dev.`;
  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">Outbox (local stack)</h1>
      <p class="muted">What the local stack sent: emails through moto's SES, chat messages captured. Oldest first.</p>
      {problem && (
        <Notice kind="error" id="outbox-problem">
          {problem}
        </Notice>
      )}
      {entries && entries.length === 0 && <p id="outbox-empty">Nothing was sent yet.</p>}
      {entries && entries.length > 0 && (
        <table id="outbox-list">
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">Channel</th>
              <th scope="col">To</th>
              <th scope="col">Event</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry, index) => (
              <tr key={index}>
                <td>{shortWhen(entry.sentAt, settings.timezone)}</td>
                <td>{entry.channel}</td>
                <td>{entry.to}</td>
                <td>{entry.event.replaceAll("_", " ")}</td>
                <td>{entry.callId ? <a href={`/calls/${encodeURIComponent(entry.callId)}`}>{entry.subject}</a> : entry.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
