// The follow-up worklist (GET /calls?needsFollowUp=true): calls the clinic must look at again (a pet doing worse,
// an owner who asked for a callback or raised a concern, by phone or by text, a call that failed), most recently
// flagged first. Any member marks one done with a short note (POST /calls/{callId}/follow-up); who and when are
// kept on the call.
import { useState } from "preact/hooks";
import { shortWhen } from "../../../extension/lib/time.js";
import { reasonText } from "../../../extension/lib/words.js";
import { api, failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { Notice } from "../components/notice.jsx";
import { TextBadge } from "../components/text-badge.jsx";
import { useLoad } from "../hooks.js";
/** @import { ApiResult } from "../../../extension/lib/api.js" */
/** @import { Message } from "../components/notice.jsx" */
/** @import { CallPage, FullCall } from "../types.js" */

/** @type {() => Promise<ApiResult<CallPage>>} */
const readWorklist = () => api("GET", "/calls?needsFollowUp=true&limit=100");

export function FollowUpPage() {
  const { settings } = useClinic();
  const worklist = useLoad(readWorklist, [], { refreshSeconds: 30 });
  const items = worklist.data?.items ?? null;
  const [done, setDone] = useState(/** @type {Message | null} */ (null));
  const [notes, setNotes] = useState(/** @type {Record<string, string>} */ ({}));
  const [busy, setBusy] = useState("");
  const message = worklist.failure ? { kind: /** @type {const} */ ("error"), text: failureText(worklist.failure) } : done;

  /** @param {FullCall} call */
  const markDone = async (call) => {
    setBusy(call.callId);
    /** @type {ApiResult<FullCall>} */
    const result = await api("POST", `/calls/${encodeURIComponent(call.callId)}/follow-up`, {
      body: { note: (notes[call.callId] || "").trim() || null },
      ifMatch: call.version,
    });
    setBusy("");
    if (!result.ok) {
      setDone({ kind: "error", text: failureText(result) });
      worklist.reload();
      return;
    }
    setDone({ kind: "success", text: `The follow-up about ${call.petName} is marked done.` });
    if (worklist.data) worklist.setData({ ...worklist.data, items: worklist.data.items.filter((item) => item.callId !== call.callId) });
  };

  return (
    <section aria-labelledby="followup-title">
      <h1 id="followup-title">Needs follow-up</h1>
      <p class="muted">
        Calls where the owner or the pet needs the clinic: newest first. Call the owner, then mark it done with a
        short note; who and when are kept on the call.
      </p>
      {message && (
        <Notice kind={message.kind} id="followup-message">
          {message.text}
        </Notice>
      )}
      {items === null && !message && <p class="loading">Loading…</p>}
      {items && items.length === 0 && <p id="followup-empty">Nothing needs follow-up.</p>}
      {items && items.length > 0 && (
        <ul class="worklist" id="followup-list">
          {items.map((call) => (
            <li key={call.callId} class="panel" data-call-id={call.callId}>
              <h2>
                <a href={`/calls/${encodeURIComponent(call.callId)}`}>{call.petName}</a>{" "}
                <span class="muted">owner {call.ownerName}</span>
              </h2>
              <ul class="reasons">
                {(call.followUpReasons || []).map((reason) => (
                  <li key={reason}>{reasonText(reason)}</li>
                ))}
              </ul>
              {call.analysis?.summary && <p>{call.analysis.summary}</p>}
              {call.text?.analysis?.summary && (
                <p class="by-text">
                  <TextBadge text={call.text} /> {call.text.analysis.summary}
                </p>
              )}
              <p class="muted">Flagged {shortWhen(call.flaggedAt || call.updatedAt, settings.timezone)}</p>
              <form
                class="done-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  markDone(call);
                }}
              >
                <label>
                  Note
                  <input
                    name="note"
                    maxLength={2000}
                    value={notes[call.callId] || ""}
                    onInput={(event) => setNotes({ ...notes, [call.callId]: event.currentTarget.value })}
                    placeholder="What was done, e.g. called back, vet sees the pet today"
                  />
                </label>
                <button type="submit" class="primary" disabled={busy === call.callId}>
                  Mark done
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
