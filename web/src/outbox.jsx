// The local stack's outbox (GET /local/outbox, make dev only): every notice it "sent", emails through moto's SES
// and chat webhooks it captured, oldest first, so a developer sees what a scenario tells the clinic.
import { useCallback, useEffect, useState } from "preact/hooks";
import { useClinic } from "./app.jsx";
import { shortWhen } from "./time.js";
import { Notice, useRefreshWhileVisible } from "./ui.jsx";

/**
 * @typedef {object} OutboxEntry
 * @property {"email" | "chat"} channel
 * @property {string} to
 * @property {string} subject
 * @property {string | null} callId
 * @property {string} event
 * @property {string} sentAt
 */

export function OutboxPage() {
  const { config, settings } = useClinic();
  const [entries, setEntries] = useState(/** @type {OutboxEntry[] | null} */ (null));
  const [problem, setProblem] = useState("");
  const load = useCallback(async () => {
    try {
      const response = await fetch(`${config.apiBase}/local/outbox`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      setEntries(/** @type {OutboxEntry[]} */ (await response.json()));
      setProblem("");
    } catch (error) {
      setProblem(`The local outbox could not be read (${String(error)}); it exists only in make dev.`);
    }
  }, [config.apiBase]);
  useEffect(() => {
    load();
  }, [load]);
  useRefreshWhileVisible(load, 5);
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
