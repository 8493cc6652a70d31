// One call, as the API has it: when it will be (or was) placed, to whom, and how it went.
import { ask } from "./lib/messages.js";
import { noticeFor } from "./lib/notices.js";
import { dayAndTime } from "./lib/time.js";
import { CONSENT_CHANNEL, chosenText, languageName, outcomeText, statusText } from "./lib/words.js";

/**
 * An element of call.html.
 * @param {string} id
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A term and its value for the details list; nothing when there is no value.
 * @param {string} label
 * @param {string | null | undefined} value
 * @returns {HTMLElement[]}
 */
function row(label, value) {
  if (value === null || value === undefined || value === "") return [];
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  return [dt, dd];
}

(async () => {
  const callId = String(new URLSearchParams(location.search).get("id")); // no id: "null", which is not found
  const result = await ask("calls.get", { callId });
  if (!result.ok) {
    const notFound = result.kind === "http" && result.status === 404;
    const notice = notFound ? { title: "Call not found", text: "It may belong to another clinic." } : noticeFor(result);
    $("title").textContent = notice.title;
    $("error").textContent = notice.text;
    $("error").hidden = false;
    return;
  }
  const call = result.data;
  /** @param {string | null | undefined} iso */
  const at = (iso) => (iso ? `${dayAndTime(iso, call.timezone)}` : "");
  $("title").textContent = `${call.petName} · ${statusText(call.status)}`;
  $("details").replaceChildren(
    ...row("Call at", at(call.scheduledFor)),
    ...row("Asked for", call.rescheduled && !call.chosen ? at(call.requestedFor) : ""),
    ...row("Time chosen", chosenText(call.chosen)),
    ...row("Owner", `${call.ownerName} · ${call.phoneNumber}`),
    ...row("Language", call.language ? languageName(call.language) : ""),
    ...row("Owner agreed to", call.consent?.given ? (call.consent.channels || ["call"]).map((channel) => CONSENT_CHANNEL[channel]).join(" and ") : ""),
    ...row("Vet", call.vetName),
    ...row("Attempt", `${call.attempt} of ${call.maxAttempts}`),
    ...row("Next retry", at(call.nextRetryAt)),
    ...row("Outcome", outcomeText(call.outcome)),
    ...row("Summary", call.analysis?.summary),
    ...row("Notes", call.notes),
    ...row("Call id", call.callId),
  );
  $("details").hidden = false;
})();
