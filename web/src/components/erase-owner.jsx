// "Erase this owner's data" (POST /clinic/erasure), behind a confirmation dialog; for admins only (the caller shows it
// to admins). Every call of the clinic to the number loses the owner's data at once, and Retell is asked to delete its
// copies; the do-not-call entry, if any, stays.
import { useState } from "preact/hooks";
import { api, failureText } from "../api.js";
import { Dialog } from "./dialog.jsx";
/** @import { ApiResult } from "../../../extension/lib/api.js" */
/** @import { Message } from "./notice.jsx" */

/** @param {{phoneNumber: string, id: string, onDone: (message: Message) => void}} props */
export function EraseOwner({ phoneNumber, id, onDone }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const erase = async () => {
    setBusy(true);
    /** @type {ApiResult<{calls: number, retellDeleted: number}>} */
    const result = await api("POST", "/clinic/erasure", { body: { phoneNumber } });
    setBusy(false);
    setOpen(false);
    if (!result.ok) return onDone({ kind: "error", text: failureText(result) });
    const calls = result.data.calls === 1 ? "1 call" : `${result.data.calls} calls`;
    onDone({ kind: "success", text: `The owner's data is erased from ${calls}.` });
  };
  return (
    <>
      <button type="button" class="danger" id={`${id}-open`} onClick={() => setOpen(true)} disabled={busy}>
        Erase this owner's data
      </button>
      <Dialog id={id} title="Erase this owner's data?" open={open} onClose={() => setOpen(false)}>
        <p>
          Every call to {phoneNumber} loses the owner's and pet's names, the number, the transcript, summary, notes and discharge summary, and the
          recording is deleted. The calls' times and outcomes stay. This cannot be undone.
        </p>
        <div class="actions">
          <button type="button" class="danger" id={`${id}-confirm`} disabled={busy} onClick={erase}>
            Erase
          </button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </>
  );
}
