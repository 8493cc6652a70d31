// Where a call's text follow-up stands, as a badge beside the call's own status (the words: extension/lib/words.js).
import { textStatusText } from "../../../extension/lib/words.js";
/** @import { CallText } from "../types.js" */

/** @param {{text: CallText | null | undefined}} props */
export function TextBadge({ text }) {
  if (!text) return null;
  return <span class={`badge badge-text badge-text-${text.status}`}>{textStatusText(text.status)}</span>;
}
