// The popup: read the open consultation, show it for review, schedule the call, say what happened.
import { ask, openCall } from "./lib/messages.js";
import { noticeFor } from "./lib/notices.js";
import { dayAndTime, longDate, suggestedFollowUp, wallDateTime, wallToInstant } from "./lib/time.js";
import { ERROR_CODES } from "./lib/error-codes.js";
import { ANSWER_RATE_DAYS, bestTimeDay, hasAnswerHistory, totalDials } from "./lib/best-time.js";
import { clinicLanguages, startingLanguage } from "./lib/languages.js";
import { CONSENT_CHANNEL, bestTimeBasis, bestTimeLabel, chosenText, languageName } from "./lib/words.js";
/** @import { AnswerRates, ApiFailure, ApiResult, Call, ClinicSettings, HttpFailure } from "./lib/api.js" */
/** @import { IdexxPreview, ScheduleBody, Weekday } from "./lib/api.js" */
/** @import { NoticeAction, Problem } from "./lib/notices.js" */

/**
 * The form's fields: the schedule body's, "timing" for best time or a fixed time, and "when" for the time picker.
 * @typedef {"petName" | "ownerName" | "phoneNumber" | "language" | "vetName" | "clinicName" | "dischargeSummary"
 *   | "timing" | "when" | "notes" | "consent"} FormField
 */

/**
 * An element of popup.html.
 * @param {string} id
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/**
 * A field of the form, read and set by value: an input or a textarea.
 * @param {string} id
 */
const control = (id) => /** @type {HTMLInputElement | HTMLTextAreaElement} */ (document.getElementById(id));
/** @param {string | null | undefined} text */
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);
/** @type {FormField[]} */
const FIELDS = [
  "petName", "ownerName", "phoneNumber", "language", "vetName", "clinicName", "dischargeSummary", "timing", "when",
  "notes", "consent",
];
/** The fields the consultation fills as text. */
const TEXT_FIELDS = /** @type {const} */ (["petName", "ownerName", "phoneNumber", "vetName", "clinicName", "dischargeSummary", "notes"]);
/** The consent checkbox: a consent the vet confirms for this call, never carried over from another. */
const consentBox = () => /** @type {HTMLInputElement} */ (document.getElementById("consent"));
/** The text consent checkbox: a text after an unanswered call, only with the call's own consent. */
const textConsentBox = () => /** @type {HTMLInputElement} */ (document.getElementById("text-consent"));
const languagePicker = () => /** @type {HTMLSelectElement} */ (document.getElementById("language"));
/** @param {"best" | "fixed"} choice */
const timingRadio = (choice) => /** @type {HTMLInputElement} */ (document.getElementById(`timing-${choice}`));
/**
 * @param {string | undefined} name
 * @returns {name is FormField}
 */
const isField = (name) => /** @type {(string | undefined)[]} */ (FIELDS).includes(name);
/** @type {Record<string, FormField>} */
const API_FIELD = {
  // API names that are shown on another input
  scheduledFor: "when",
  timezone: "when",
  window: "timing",
  "window.from": "timing",
  "window.to": "timing",
  "consent.channels": "consent",
};

/**
 * @type {{
 *   consultationId: string | null, idexxHost: string, preview: IdexxPreview | null, clinic: ClinicSettings | null,
 *   answerRates: AnswerRates | null, submitted: {text: string, key: string} | null,
 * }}
 */
const state = {
  consultationId: null,
  idexxHost: "us.idexxneo.com",
  preview: null,
  clinic: null,
  answerRates: null,
  submitted: null,
};

/** The consultation under review and its clinic: start() sets them before the form shows. */
function reviewing() {
  const { preview, clinic } = state;
  if (!preview || !clinic) throw new Error("No consultation is under review.");
  return { preview, clinic };
}

/** @param {"loading" | "notice" | "form" | "done"} section */
function show(section) {
  for (const id of ["loading", "notice", "form", "done"]) $(id).hidden = id !== section;
}

/** @param {Problem} result */
function showNotice(result) {
  const notice = noticeFor(result, { idexxHost: state.idexxHost, consultationId: state.consultationId });
  $("notice-title").textContent = notice.title;
  $("notice-text").textContent = notice.text;
  const actions = $("notice-actions");
  actions.replaceChildren();
  for (const { label, action, callId } of [...notice.actions, ...(result.extraActions || [])]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.action = action;
    button.addEventListener("click", () => runAction(action, callId));
    actions.append(button);
  }
  document.body.dataset.state = result.kind || "error";
  show("notice");
}

/**
 * @param {NoticeAction["action"]} action
 * @param {string | undefined} callId the call to open
 */
function runAction(action, callId) {
  if (action === "preferences") chrome.runtime.openOptionsPage();
  else if (action === "retry") start();
  else if (action === "open-call") openCall(String(callId));
}

/** @returns {Promise<number | undefined>} */
async function targetTab() {
  const fromQuery = new URLSearchParams(location.search).get("tab"); // the popup opened as a page, for one tab
  if (fromQuery) return Number(fromQuery);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

/** @returns {Promise<string | null>} */
async function currentConsultation() {
  try {
    const tabId = /** @type {number} */ (await targetTab()); // none: sendMessage throws, as for a page without us
    /** @type {{consultationId: string | null, origin: string} | undefined} */
    const answer = await chrome.tabs.sendMessage(tabId, { type: "consultation.current" }); // content.js
    if (answer?.origin) state.idexxHost = new URL(answer.origin).host;
    return answer?.consultationId || null;
  } catch {
    return null; // no content script there: not an IDEXX Neo consultation page
  }
}

async function showWho() {
  const session = await ask("session.describe");
  $("who").textContent = session.signedIn ? `${session.clinicId} · ${session.isAdmin ? "admin" : "staff"}` : "";
}

async function start() {
  show("loading");
  document.body.dataset.state = "loading";
  await showWho();
  state.consultationId = await currentConsultation();
  if (!state.consultationId) return showNotice({ kind: "not_consultation" });
  const result = await ask("consultation.prepare", { consultationId: state.consultationId });
  await showWho(); // a refresh may have happened
  if (!result.ok) return showNotice(result);
  state.preview = result.preview;
  state.clinic = result.clinic;
  state.answerRates = result.answerRates;
  fillForm();
}

/**
 * @param {FormField} field
 * @param {string | null | undefined} text none clears the hint
 * @param {"warning" | "error"} [kind] how a text shows
 */
function setHint(field, text, kind) {
  const hint = /** @type {Element} */ (document.querySelector(`.hint[data-for="${field}"]`));
  const wrapper = /** @type {Element} */ (hint.closest(".field"));
  wrapper.classList.remove("has-warning", "has-error");
  hint.className = "hint";
  hint.textContent = text || "";
  if (text && kind) {
    hint.classList.add(kind);
    wrapper.classList.add(`has-${kind}`);
  }
}

/** @param {"warning" | "error"} [kind] only these; all hints without */
function clearHints(kind) {
  for (const field of FIELDS) {
    const hint = /** @type {Element} */ (document.querySelector(`.hint[data-for="${field}"]`));
    if (!kind || hint.classList.contains(kind)) setHint(field, "", kind);
  }
  $("form-error").hidden = true;
}

/** @param {ClinicSettings} clinic */
function describeHours(clinic) {
  // "Mon–Fri 09:00–17:00 · Sat 10:00–13:00": consecutive days with the same hours are shown once.
  /** @type {Weekday[]} */
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  /** @param {Weekday} day */
  const label = (day) => day[0].toUpperCase() + day.slice(1);
  const hours = days.map((day) => (clinic.businessHours?.[day] || []).map(([a, b]) => `${a}–${b}`).join(", "));
  /** @type {{start: number, end: number, hours: string}[]} */
  const groups = [];
  days.forEach((day, index) => {
    const last = groups[groups.length - 1];
    if (last && last.hours === hours[index] && last.end === index - 1) last.end = index;
    else groups.push({ start: index, end: index, hours: hours[index] });
  });
  const text = groups
    .filter((group) => group.hours)
    .map(({ start: from, end: to, hours: h }) => `${label(days[from])}${to > from ? `–${label(days[to])}` : ""} ${h}`);
  return text.length ? `Calls go out ${text.join(" · ")}` : "";
}

/**
 * The language picker: the clinic's languages by name, starting with the owner's when the clinic has an agent for
 * it; a hint when the consultation names one it has not.
 * @param {string | undefined} owners the client record's language
 * @param {ClinicSettings} clinic
 */
function fillLanguages(owners, clinic) {
  const picker = languagePicker();
  picker.replaceChildren(
    ...clinicLanguages(clinic).map((tag) => {
      const option = document.createElement("option");
      option.value = tag;
      option.textContent = languageName(tag);
      return option;
    }),
  );
  const { language, unmatched } = startingLanguage(owners, clinic);
  picker.value = language;
  return unmatched
    ? `The client record says ${languageName(unmatched)}, which this clinic's calls are not set up for; the call is in ${languageName(language)} unless you pick another.`
    : null;
}

/**
 * Best time or a fixed time: best time first once the clinic has the answer history for it.
 * @param {ClinicSettings} clinic
 */
function fillTiming(clinic) {
  const now = Date.now();
  const day = bestTimeDay(now, clinic);
  $("timing-best-label").textContent = bestTimeLabel(day.tomorrow ? null : longDate(day.window.from, clinic.timezone));
  const enough = hasAnswerHistory(state.answerRates);
  $("timing-best-basis").textContent = bestTimeBasis(totalDials(state.answerRates), state.answerRates?.days || ANSWER_RATE_DAYS, enough);
  timingRadio(enough ? "best" : "fixed").checked = true;
  const when = /** @type {HTMLInputElement} */ ($("when"));
  when.value = suggestedFollowUp(now, clinic);
  when.min = wallDateTime(now, clinic.timezone);
  showTiming();
}

/** @returns {"best" | "fixed"} */
const timing = () => (timingRadio("best").checked ? "best" : "fixed");

/** The time picker only for a fixed time. */
function showTiming() {
  $("when-field").hidden = timing() !== "fixed";
}

/** A text follows an unanswered call only where the owner agreed to the call itself. */
function followConsent() {
  const text = textConsentBox();
  text.disabled = !consentBox().checked;
  if (text.disabled) text.checked = false;
}

function fillForm() {
  const { preview, clinic } = reviewing();
  const request = preview.callRequest;
  for (const field of TEXT_FIELDS) control(field).value = request[field] ?? "";
  consentBox().checked = false;
  followConsent();
  const consultation = request.metadata?.consultation_id || state.consultationId;
  $("consultation-label").textContent = `IDEXX Neo consultation #${consultation}`;
  $("timezone").textContent = `(clinic time, ${clinic.timezone})`;
  fillTiming(clinic);
  $("hours").textContent = describeHours(clinic);
  clearHints();
  const languageHint = fillLanguages(request.language, clinic);
  if (languageHint) setHint("language", languageHint, "warning");
  for (const warning of preview.warnings || []) {
    const field = isField(warning.field) ? warning.field : null;
    if (field) setHint(field, warning.message, "warning");
  }
  document.body.dataset.state = "form";
  show("form");
}

/** @returns {ScheduleBody} */
function scheduleBody() {
  const { preview, clinic } = reviewing();
  const request = preview.callRequest;
  /** @param {FormField} id */
  const text = (id) => control(id).value.trim();
  /** @type {ScheduleBody} */
  const body = {
    phoneNumber: text("phoneNumber"),
    petName: text("petName"),
    ownerName: text("ownerName"),
    timezone: clinic.timezone,
    language: languagePicker().value,
    metadata: request.metadata,
  };
  if (timing() === "best") {
    body.window = bestTimeDay(Date.now(), clinic).window;
  } else {
    const [date, time = ""] = control("when").value.split("T"); // a datetime-local input's "2026-11-24T10:00"
    body.scheduledFor = wallToInstant(date, time, clinic.timezone) || ""; // checkLocally has made sure there is one
  }
  const optional = /** @type {const} */ (["vetName", "clinicName", "dischargeSummary", "notes"]);
  for (const id of optional) if (text(id)) body[id] = text(id);
  if (request.clinicPhone) body.clinicPhone = request.clinicPhone;
  if (consentBox().checked) {
    body.consent = { given: true, method: "verbal_at_discharge", channels: textConsentBox().checked ? ["call", "text"] : ["call"] };
  }
  return body;
}

function checkLocally() {
  let fine = true;
  /** @type {[FormField, string][]} */
  const required = [
    ["petName", "Enter the pet's name."],
    ["ownerName", "Enter the owner's name."],
    ["phoneNumber", "Enter the owner's phone number."],
  ];
  if (timing() === "fixed") required.push(["when", "Pick a date and time for the call."]);
  for (const [field, message] of required) {
    if (!control(field).value.trim()) {
      setHint(field, message, "error");
      fine = false;
    }
  }
  if (reviewing().clinic.requireConsent !== false && !consentBox().checked) {
    setHint("consent", "Ask the owner whether the clinic's voice assistant may call them, then tick this.", "error");
    fine = false;
  }
  return fine;
}

/**
 * The same body is sent with the same Idempotency-Key, so pressing again after a lost answer never schedules
 * the call twice; an edited body is a new request.
 * @param {ScheduleBody} body
 * @returns {string}
 */
function idempotencyKeyFor(body) {
  const text = JSON.stringify(body);
  if (state.submitted?.text !== text) state.submitted = { text, key: crypto.randomUUID() };
  return state.submitted.key;
}

/** @param {string | null} text */
function formError(text) {
  $("form-error").textContent = text;
  $("form-error").hidden = false;
}

/** @param {SubmitEvent} event */
async function submit(event) {
  event.preventDefault();
  clearHints("error");
  if (!checkLocally()) return formError("Check the highlighted fields.");
  const body = scheduleBody();
  const button = /** @type {HTMLButtonElement} */ ($("schedule"));
  button.disabled = true;
  button.textContent = "Scheduling…";
  try {
    const result = await ask("calls.schedule", { body, idempotencyKey: idempotencyKeyFor(body) });
    if (result.ok) return showDone(result.data);
    await showFailure(result);
  } finally {
    button.disabled = false;
    button.textContent = "Schedule call";
  }
}

/** @param {ApiFailure} result */
async function showFailure(result) {
  if (result.kind === "network") {
    return formError(
      `Can't reach the scheduling service (${result.apiBase}). Check your internet connection and press Schedule call again; it will not be scheduled twice.`,
    );
  }
  if (result.kind === "http" && result.status === 422) {
    let placed = 0;
    for (const detail of result.details) {
      const field = (detail.field && API_FIELD[detail.field]) || detail.field;
      if (isField(field)) {
        setHint(field, sentence(detail.message || result.message), "error");
        placed += 1;
      }
    }
    return formError(placed ? "Check the highlighted fields." : result.message || "The call details were refused.");
  }
  if (result.kind === "http" && result.code === ERROR_CODES.DUPLICATE_CONSULTATION) return showDuplicate(result);
  if (result.kind === "http" && result.status >= 500) {
    const reference = result.requestId ? ` (reference ${result.requestId})` : "";
    return formError(
      `Something went wrong on our side${reference}. Press Schedule call again in a minute; it will not be scheduled twice.`,
    );
  }
  if (result.kind === "http" && result.status === 409) return formError(result.message);
  return showNotice(result);
}

/** @param {HttpFailure} result */
async function showDuplicate(result) {
  const callId = result.details[0]?.callId;
  /** @type {ApiResult<Call> | {ok: false}} */
  const existing = callId ? await ask("calls.get", { callId }) : { ok: false };
  const when = existing.ok
    ? `It is ${existing.data.status === "scheduled" ? "scheduled for" : "under way since"} ${dayAndTime(existing.data.scheduledFor, existing.data.timezone)}.`
    : "";
  showNotice({
    kind: "duplicate",
    message: `${when} Open it to change or cancel it rather than scheduling a second call.`.trim(),
    extraActions: [{ label: "Open the call", action: "open-call", callId }],
  });
}

/** @param {Call} call */
function showDone(call) {
  const timezone = call.timezone || reviewing().clinic.timezone;
  $("done-time").textContent = `${dayAndTime(call.scheduledFor, timezone)} (clinic time)`;
  const moved = $("done-moved");
  moved.hidden = !call.rescheduled || Boolean(call.chosen); // best time picks its own hour: nothing was moved
  if (!moved.hidden) {
    moved.textContent = `You picked ${dayAndTime(call.requestedFor, timezone)}, when the clinic is closed or the owner is outside their calling hours (08:00–20:00 their time), so the call was moved to the next time both allow.`;
  }
  const ownerTime = $("done-owner-time");
  ownerTime.hidden = !call.ownerTimezone || !call.ownerLocalTime;
  if (call.ownerTimezone) {
    ownerTime.textContent = `${dayAndTime(call.scheduledFor, call.ownerTimezone)} for the owner (${call.ownerTimezone}); owners are called only 08:00–20:00 their time.`;
  }
  const chosen = $("done-chosen");
  chosen.hidden = !call.chosen;
  chosen.textContent = chosenText(call.chosen);
  const language = call.language || languagePicker().value;
  const texted = call.consent?.channels?.includes("text") ? `; ${CONSENT_CHANNEL.text}` : "";
  $("done-how").textContent = `In ${languageName(language)}${texted}.`;
  $("done-who").textContent = `${call.petName} · ${call.ownerName} · ${call.phoneNumber}`;
  $("open-call").onclick = () => openCall(call.callId);
  document.body.dataset.state = moved.hidden ? "done" : "done-moved";
  show("done");
}

$("form").addEventListener("submit", submit);
$("consent").addEventListener("change", followConsent);
for (const choice of /** @type {const} */ (["best", "fixed"])) timingRadio(choice).addEventListener("change", showTiming);
$("preferences-link").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.runtime.openOptionsPage();
});
start();
