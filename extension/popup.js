// The popup: read the open consultation, show it for review, schedule the call, say what happened.
import { ask, openExtensionPage } from "./lib/messages.js";
import { noticeFor } from "./lib/notices.js";
import { formatInZone, fromWallTime, suggestedFollowUp, toWallTime } from "./lib/time.js";

const $ = (id) => document.getElementById(id);
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);
const FIELDS = ["petName", "ownerName", "phoneNumber", "vetName", "clinicName", "dischargeSummary", "when", "notes"];
const API_FIELD = { scheduledFor: "when", timezone: "when" }; // API names that are shown on another input

const state = { consultationId: null, idexxHost: "us.idexxneo.com", preview: null, clinic: null, submitted: null };

function show(section) {
  for (const id of ["loading", "notice", "form", "done"]) $(id).hidden = id !== section;
}

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

function runAction(action, callId) {
  if (action === "settings") chrome.runtime.openOptionsPage();
  else if (action === "retry") start();
  else if (action === "open-call") openExtensionPage(`call.html?id=${encodeURIComponent(callId)}`);
}

async function targetTab() {
  const fromQuery = new URLSearchParams(location.search).get("tab"); // the popup opened as a page, for one tab
  if (fromQuery) return Number(fromQuery);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function currentConsultation() {
  try {
    const tabId = await targetTab();
    const answer = await chrome.tabs.sendMessage(tabId, { type: "consultation.current" });
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
  fillForm();
}

function setHint(field, text, kind) {
  const hint = document.querySelector(`.hint[data-for="${field}"]`);
  const wrapper = $(field).closest(".field");
  wrapper.classList.remove("has-warning", "has-error");
  hint.className = "hint";
  hint.textContent = text || "";
  if (text) {
    hint.classList.add(kind);
    wrapper.classList.add(`has-${kind}`);
  }
}

function clearHints(kind) {
  for (const field of FIELDS) {
    const hint = document.querySelector(`.hint[data-for="${field}"]`);
    if (!kind || hint.classList.contains(kind)) setHint(field, "", kind);
  }
  $("form-error").hidden = true;
}

function describeHours(clinic) {
  // "Mon–Fri 09:00–17:00 · Sat 10:00–13:00": consecutive days with the same hours are shown once.
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const label = (day) => day[0].toUpperCase() + day.slice(1);
  const hours = days.map((day) => (clinic.businessHours?.[day] || []).map(([a, b]) => `${a}–${b}`).join(", "));
  const groups = [];
  days.forEach((day, index) => {
    const last = groups[groups.length - 1];
    if (last && last.hours === hours[index] && last.end === index - 1) last.end = index;
    else groups.push({ start: index, end: index, hours: hours[index] });
  });
  const text = groups
    .filter((group) => group.hours)
    .map(({ start, end, hours: h }) => `${label(days[start])}${end > start ? `–${label(days[end])}` : ""} ${h}`);
  return text.length ? `Calls go out ${text.join(" · ")}` : "";
}

function fillForm() {
  const request = state.preview.callRequest;
  for (const field of FIELDS) {
    if (field !== "when") $(field).value = request[field] ?? "";
  }
  const consultation = request.metadata?.consultation_id || state.consultationId;
  $("consultation-label").textContent = `IDEXX Neo consultation #${consultation}`;
  $("timezone").textContent = `(clinic time, ${state.clinic.timezone})`;
  $("when").value = suggestedFollowUp(new Date(), state.clinic);
  $("when").min = toWallTime(new Date(), state.clinic.timezone);
  $("hours").textContent = describeHours(state.clinic);
  clearHints();
  for (const warning of state.preview.warnings || []) {
    const field = FIELDS.includes(warning.field) ? warning.field : null;
    if (field) setHint(field, warning.message, "warning");
  }
  document.body.dataset.state = "form";
  show("form");
}

function scheduleBody() {
  const request = state.preview.callRequest;
  const text = (id) => $(id).value.trim();
  const body = {
    phoneNumber: text("phoneNumber"),
    petName: text("petName"),
    ownerName: text("ownerName"),
    scheduledFor: fromWallTime($("when").value, state.clinic.timezone).toISOString(),
    timezone: state.clinic.timezone,
    metadata: request.metadata,
  };
  for (const id of ["vetName", "clinicName", "dischargeSummary", "notes"]) if (text(id)) body[id] = text(id);
  if (request.clinicPhone) body.clinicPhone = request.clinicPhone;
  return body;
}

function checkLocally() {
  let fine = true;
  for (const [field, message] of [
    ["petName", "Enter the pet's name."],
    ["ownerName", "Enter the owner's name."],
    ["phoneNumber", "Enter the owner's phone number."],
    ["when", "Pick a date and time for the call."],
  ]) {
    if (!$(field).value.trim()) {
      setHint(field, message, "error");
      fine = false;
    }
  }
  return fine;
}

// The same body is sent with the same Idempotency-Key, so pressing again after a lost answer never schedules
// the call twice; an edited body is a new request.
function idempotencyKeyFor(body) {
  const text = JSON.stringify(body);
  if (state.submitted?.text !== text) state.submitted = { text, key: crypto.randomUUID() };
  return state.submitted.key;
}

function formError(text) {
  $("form-error").textContent = text;
  $("form-error").hidden = false;
}

async function submit(event) {
  event.preventDefault();
  clearHints("error");
  if (!checkLocally()) return formError("Check the highlighted fields.");
  const body = scheduleBody();
  const button = $("schedule");
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

async function showFailure(result) {
  if (result.kind === "network") {
    return formError(
      `Can't reach the scheduling service (${result.apiBase}). Check your internet connection and press Schedule call again; it will not be scheduled twice.`,
    );
  }
  if (result.kind === "http" && result.status === 422) {
    let placed = 0;
    for (const detail of result.details) {
      const field = API_FIELD[detail.field] || detail.field;
      if (FIELDS.includes(field)) {
        setHint(field, sentence(detail.message || result.message), "error");
        placed += 1;
      }
    }
    return formError(placed ? "Check the highlighted fields." : result.message || "The call details were refused.");
  }
  if (result.kind === "http" && result.code === "duplicate_consultation") return showDuplicate(result);
  if (result.kind === "http" && result.status >= 500) {
    const reference = result.requestId ? ` (reference ${result.requestId})` : "";
    return formError(
      `Something went wrong on our side${reference}. Press Schedule call again in a minute; it will not be scheduled twice.`,
    );
  }
  if (result.kind === "http" && result.status === 409) return formError(result.message);
  return showNotice(result);
}

async function showDuplicate(result) {
  const callId = result.details[0]?.callId;
  const existing = callId ? await ask("calls.get", { callId }) : { ok: false };
  const when = existing.ok
    ? `It is ${existing.data.status === "scheduled" ? "scheduled for" : "under way since"} ${formatInZone(existing.data.scheduledFor, existing.data.timezone)}.`
    : "";
  showNotice({
    kind: "duplicate",
    message: `${when} Open it to change or cancel it rather than scheduling a second call.`.trim(),
    extraActions: [{ label: "Open the call", action: "open-call", callId }],
  });
}

function showDone(call) {
  const timezone = call.timezone || state.clinic.timezone;
  $("done-time").textContent = `${formatInZone(call.scheduledFor, timezone)} (clinic time)`;
  const moved = $("done-moved");
  moved.hidden = !call.rescheduled;
  if (call.rescheduled) {
    moved.textContent = `You picked ${formatInZone(call.requestedFor, timezone)}, when the clinic is closed, so the call was moved to the next open time.`;
  }
  $("done-who").textContent = `${call.petName} · ${call.ownerName} · ${call.phoneNumber}`;
  $("open-call").onclick = () => openExtensionPage(`call.html?id=${encodeURIComponent(call.callId)}`);
  document.body.dataset.state = call.rescheduled ? "done-moved" : "done";
  show("done");
}

$("form").addEventListener("submit", submit);
$("settings-link").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.runtime.openOptionsPage();
});
start();
