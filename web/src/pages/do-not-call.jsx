// The clinic's do-not-call list (GET/PUT/DELETE /clinic/do-not-call): numbers the clinic never calls, why, when
// and by whom (the voice agent adds the owners who ask it not to call again). Admins add and remove numbers. The
// API answers a page at a time (nextToken): "Show more" reads the next, and a change reads the pages shown again.
import { useRef, useState } from "preact/hooks";
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

/** @typedef {{items: DoNotCallEntry[], nextToken: string | null}} DoNotCallPage */

const PAGE_SIZE = 100;

/**
 * @param {string | null} token
 * @returns {string}
 */
const pagePath = (token) =>
  `/clinic/do-not-call?limit=${PAGE_SIZE}${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`;

const SOURCE = { clinic: "Clinic", owner_request: "Owner asked the agent" };

export function DoNotCallPage() {
  const { session, settings } = useClinic();
  const pages = useRef(1); // how many pages are shown: a reload reads as many again
  /** @type {() => Promise<ApiResult<DoNotCallPage>>} */
  const readShownPages = async () => {
    /** @type {DoNotCallEntry[]} */
    const items = [];
    /** @type {string | null} */
    let token = null;
    for (let page = 0; page < pages.current; page += 1) {
      /** @type {ApiResult<DoNotCallPage>} */
      const result = await api("GET", pagePath(token));
      if (!result.ok) return result;
      items.push(...result.data.items);
      token = result.data.nextToken;
      if (!token) break;
    }
    return { ok: true, status: 200, data: { items, nextToken: token } };
  };
  const list = useLoad(readShownPages, []);
  const items = list.data?.items ?? null;
  const nextToken = list.data?.nextToken ?? null;
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

  const more = async () => {
    if (!list.data || !nextToken) return;
    setBusy(true);
    /** @type {ApiResult<DoNotCallPage>} */
    const result = await api("GET", pagePath(nextToken));
    setBusy(false);
    if (!result.ok) return setDone({ kind: "error", text: failureText(result) });
    pages.current += 1;
    list.setData({ items: [...list.data.items, ...result.data.items], nextToken: result.data.nextToken });
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
      {items && nextToken && (
        <div class="list-foot">
          <span id="dnc-shown" aria-live="polite">
            {items.length} numbers shown; there are more
          </span>
          <button id="dnc-more" type="button" onClick={more} disabled={busy}>
            {busy ? "Loading…" : `Show ${PAGE_SIZE} more`}
          </button>
        </div>
      )}
    </section>
  );
}
