// The clinic's do-not-call list (GET/PUT/DELETE /clinic/do-not-call): numbers the clinic never calls, why, when
// and by whom (the voice agent adds the owners who ask it not to call again). Admins add and remove numbers.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, failureText } from "./api.js";
import { useClinic } from "./app.jsx";
import { shortWhen } from "./time.js";
import { Notice } from "./ui.jsx";
/** @import { ApiResult } from "../../extension/lib/api.js" */

/**
 * @typedef {object} DoNotCallEntry
 * @property {string} phoneNumber E.164
 * @property {string} reason
 * @property {string} addedAt
 * @property {string} addedBy
 * @property {"clinic" | "owner_request"} source
 */

const SOURCE = { clinic: "Clinic", owner_request: "Owner asked the agent" };

export function DoNotCallPage() {
  const { session, settings } = useClinic();
  const [items, setItems] = useState(/** @type {DoNotCallEntry[] | null} */ (null));
  const [message, setMessage] = useState(/** @type {{kind: "error" | "success", text: string} | null} */ (null));
  const [number, setNumber] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    /** @type {ApiResult<{items: DoNotCallEntry[]}>} */
    const result = await api("GET", "/clinic/do-not-call");
    if (result.ok) setItems(result.data.items);
    else setMessage({ kind: "error", text: failureText(result) });
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  /** @param {SubmitEvent} event */
  const add = async (event) => {
    event.preventDefault();
    setBusy(true);
    /** @type {ApiResult<DoNotCallEntry>} */
    const result = await api("PUT", `/clinic/do-not-call/${encodeURIComponent(number.trim())}`, {
      body: { reason: reason.trim() },
    });
    setBusy(false);
    if (!result.ok) return setMessage({ kind: "error", text: failureText(result) });
    setMessage({ kind: "success", text: `${result.data.phoneNumber} will not be called.` });
    setNumber("");
    setReason("");
    load();
  };

  /** @param {string} phoneNumber */
  const remove = async (phoneNumber) => {
    setBusy(true);
    const result = await api("DELETE", `/clinic/do-not-call/${encodeURIComponent(phoneNumber)}`);
    setBusy(false);
    if (!result.ok) return setMessage({ kind: "error", text: failureText(result) });
    setMessage({ kind: "success", text: `${phoneNumber} may be called again.` });
    load();
  };

  return (
    <section aria-labelledby="dnc-title">
      <h1 id="dnc-title">Do not call</h1>
      <p class="muted">
        Calls to these numbers are refused when scheduled, and a call already scheduled is cancelled when its time
        comes. An owner who asks the voice agent not to call again is added by itself.
      </p>
      {message && (
        <Notice kind={message.kind} id="dnc-message">
          {message.text}
        </Notice>
      )}
      {session.isAdmin && (
        <form class="dnc-add" onSubmit={add}>
          <label>
            Phone number
            <input id="dnc-number" type="tel" required value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          </label>
          <label>
            Reason
            <input id="dnc-reason" required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            Add to the list
          </button>
        </form>
      )}
      {items === null && !message && <p class="loading">Loading…</p>}
      {items && items.length === 0 && <p id="dnc-empty">No number is on the list.</p>}
      {items && items.length > 0 && (
        <table id="dnc-list">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Reason</th>
              <th scope="col">Added</th>
              <th scope="col">By</th>
              {session.isAdmin && <th scope="col"><span class="visually-hidden">Remove</span></th>}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.phoneNumber}>
                <td>{item.phoneNumber}</td>
                <td>{item.reason}</td>
                <td>{shortWhen(item.addedAt, settings.timezone)}</td>
                <td>{SOURCE[item.source] === SOURCE.clinic ? item.addedBy : SOURCE[item.source]}</td>
                {session.isAdmin && (
                  <td>
                    <button type="button" disabled={busy} onClick={() => remove(item.phoneNumber)} aria-label={`Remove ${item.phoneNumber}`}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
