// A call's text follow-up on the call's page: where it stands, when it was scheduled, sent and ended, the
// conversation, the agent's analysis, and why it was not sent, failed or ended as it did.
import { longWhen } from "../../../extension/lib/time.js";
import { textReasonText } from "../../../extension/lib/words.js";
import { conversationOf } from "../conversation.js";
import { Row } from "./row.jsx";
import { TextBadge } from "./text-badge.jsx";
/** @import { FullCall } from "../types.js" */

/** @param {{call: FullCall, zone: string}} props */
export function TextFollowUp({ call, zone }) {
  const text = call.text;
  if (!text) return null;
  const turns = conversationOf(text.transcript);
  const analysis = text.analysis;
  /** @param {boolean | null | undefined} value */
  const yesNo = (value) => (value === true ? "Yes" : value === false ? "No" : "");
  /** @param {string | null | undefined} instant */
  const when = (instant) => (instant ? longWhen(instant, zone) : "");
  const why = textReasonText(text.reason);
  const whyLabel = text.status === "skipped" ? "Not sent because" : text.status === "failed" ? "Why it failed" : "How it ended";
  return (
    <section aria-labelledby="text-title" class="panel" id="text-follow-up">
      <div class="panel-head">
        <h2 id="text-title">Text follow-up</h2>
        <TextBadge text={text} />
      </div>
      <dl class="details">
        <Row label="Scheduled for">{when(text.scheduledFor)}</Row>
        <Row label="Sent">{when(text.startedAt)}</Row>
        <Row label="Ended">{when(text.endedAt)}</Row>
        <Row label={whyLabel}>{why}</Row>
        <Row label="Summary">{analysis?.summary || ""}</Row>
        <Row label="Owner's mood">{analysis?.sentiment || ""}</Row>
        <Row label="Text achieved its aim">{yesNo(analysis?.successful)}</Row>
      </dl>
      <h3 id="text-conversation-title">Conversation</h3>
      {turns.length === 0 ? (
        <p class="muted">{text.status === "scheduled" ? "Nothing sent yet." : text.status === "failed" || text.status === "skipped" ? "No texts were exchanged." : "No texts yet."}</p>
      ) : (
        <ol class="conversation" aria-labelledby="text-conversation-title">
          {turns.map((turn, index) => (
            <li key={index} class={`turn turn-${turn.from}`}>
              <span class="speaker">{turn.from === "agent" ? "Clinic's agent" : turn.from === "owner" ? "Owner" : "Text"}</span>
              <span class="said">{turn.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
