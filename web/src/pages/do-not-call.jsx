// The clinic's do-not-call list (GET/PUT/DELETE /clinic/do-not-call): numbers the clinic never calls, why, when
// and by whom (the voice agent adds the owners who ask it not to call again). Admins add and remove numbers.
import { useState } from "preact/hooks";
import { shortWhen } from "../../../extension/lib/time.js";
import { api, failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { EraseOwner } from "../components/erase-owner.jsx";
import { Notice } from "../components/notice.jsx";
import { useLoad } from "../hooks.js";
/** @import { ApiResult } from "../../../extension/lib/api.js" */
/** @import { Message } from "../components/notice.jsx" */

/**
 * @typedef {object} DoNotCallEntry
 * @property {string} phoneNumber E.164
 * @property {string} reason
 * @property {string} addedAt
 * @property {string} addedBy
 * @property {"clinic" | "owner_request"} source
 */

/** @type {() => Promise<ApiResult<{items: DoNotCallEntry[]}>>} */
const readList = () => api("GET", "/clinic/do-not-call");

const SOURCE = { clinic: "Clinic", owner_request: "Owner asked the agent" };

export function DoNotCallPage() {
  const { session, settings } = useClinic();
  const list = useLoad(readList, []);
  const items = list.data?.items ?? null;
  const [done, setDone] = useState(/** @type {Message | null} */ (null));
  const [number, setNumber] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const message = list.failure ? { kind: /** @type {const} */ ("error"), text: failureText(list.failure) } : done;

  /** @param {SubmitEvent} event */
  const add = async (event) => {
    event.preventDefault();
    setBusy(true);
    /** @type {ApiResult<DoNotCallEntry>} */
    const result = await api("PUT", `/clinic/do-not-call/${encodeURIComponent(number.trim())}`, {
      body: { reason: reason.trim() },
    });
    setBusy(false);
    if (!result.ok) return setDone({ kind: "error", text: failureText(result) });
    setDone({ kind: "success", text: `${result.data.phoneNumber} will not be called.` });
    setNumber("");
    setReason("");
    list.reload();
  };

  /** @param {string} phoneNumber */
  const remove = async (phoneNumber) => {
    setBusy(true);
    const result = await api("DELETE", `/clinic/do-not-call/${encodeURIComponent(phoneNumber)}`);
    setBusy(false);
    if (!result.ok) return setDone({ kind: "error", text: failureText(result) });
    setDone({ kind: "success", text: `${phoneNumber} may be called again.` });
    list.reload();
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
                    </button>{" "}
                    <EraseOwner phoneNumber={item.phoneNumber} id={`erase-${item.phoneNumber.replace(/\D/g, "")}`} onDone={setDone} />
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
