// A call's status as a coloured badge, in the words the extension uses too.
import { statusText } from "../../../extension/lib/words.js";
/** @import { CallStatus } from "../../../extension/lib/api.js" */

/** @param {{status: CallStatus}} props */
export function StatusBadge({ status }) {
  return <span class={`badge badge-${status}`}>{statusText(status)}</span>;
}
