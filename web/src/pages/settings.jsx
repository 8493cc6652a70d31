// The clinic's settings: timezone (searchable), weekly hours with several windows a day, closed dates, the retry
// policy, how many calls at once, the agent and number that call, the text follow-up, the languages and their
// agents, calling safety (consent, the owner's hours, the dial cap, the clinic's identity) and who is told. What the API refuses is marked on its
// field with the API's own message; staff see everything and change nothing.
import { useState } from "preact/hooks";
import { knownZones } from "../../../extension/lib/time.js";
import { FOLLOW_UP_REASONS, NOTICE_EVENTS, TEXT_WHEN, WEEKDAYS, languageName } from "../../../extension/lib/words.js";
import { api, failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { Field, describedBy } from "../components/field.jsx";
import { Notice } from "../components/notice.jsx";
/** @import { ApiResult, Weekday } from "../../../extension/lib/api.js" */
/** @import { Message } from "../components/notice.jsx" */
/** @import { FullSettings } from "../types.js" */

/**
 * The form as typed: text where the API takes numbers, so what it refuses comes back with its own message.
 * @typedef {object} Draft
 * @property {string} timezone
 * @property {Record<Weekday, {start: string, end: string}[]>} hours
 * @property {string[]} closedDates
 * @property {string} maxRetries
 * @property {string} waits minutes before each retry, "5, 10, 20"
 * @property {boolean} retryOnVoicemail
 * @property {string} maxConcurrentCalls
 * @property {string} agentId
 * @property {string} fromNumber
 * @property {string} emails who is told, one address a line (or comma-separated)
 * @property {string} webhookUrl
 * @property {string[]} events
 * @property {string} digestHour
 * @property {string[]} flag the reasons that put a call on the follow-up worklist
 * @property {string} clinicName the name the agent gives the owner
 * @property {string} clinicPhone the number the owner can call back
 * @property {boolean} requireConsent
 * @property {string} ownerStart the owner's calling hours, local to the owner: 08:00-20:00 at the widest
 * @property {string} ownerEnd
 * @property {string} maxDialsPerNumber
 * @property {string} transcriptDays days a final call keeps its transcript and texts (7-3650)
 * @property {string} callDays days a final call is kept at all (7-3650)
 * @property {boolean} moveToBestHour
 * @property {boolean} textEnabled
 * @property {string[]} textWhen
 * @property {string} delayMinutes
 * @property {string} defaultLanguage
 * @property {AgentRow[]} agents one row a language, in the order the clinic added them
 */

/** @typedef {{language: string, agentId: string, textAgentId: string}} AgentRow */

/**
 * @param {FullSettings} settings
 * @returns {Draft}
 */
function draftOf(settings) {
  const hours = /** @type {Draft["hours"]} */ ({});
  for (const [day] of WEEKDAYS) hours[day] = (settings.businessHours[day] || []).map(([start, end]) => ({ start, end }));
  return {
    timezone: settings.timezone,
    hours,
    closedDates: [...settings.closedDates],
    maxRetries: String(settings.retry.maxRetries),
    waits: settings.retry.backoffSeconds.map((seconds) => String(seconds / 60)).join(", "),
    retryOnVoicemail: settings.retry.retryOnVoicemail,
    maxConcurrentCalls: String(settings.maxConcurrentCalls),
    agentId: settings.agentId || "",
    fromNumber: settings.fromNumber || "",
    emails: (settings.notifications?.emails || []).join("\n"),
    webhookUrl: settings.notifications?.webhookUrl || "",
    events: [...(settings.notifications?.events || NOTICE_EVENTS.map(([event]) => event))],
    digestHour: String(settings.notifications?.digestHour ?? 7),
    flag: [...(settings.followUpRules?.flag || FOLLOW_UP_REASONS.map(([reason]) => reason))],
    clinicName: settings.clinicName || "",
    clinicPhone: settings.clinicPhone || "",
    requireConsent: settings.requireConsent ?? true,
    ownerStart: settings.ownerCallingHours?.start || "08:00",
    ownerEnd: settings.ownerCallingHours?.end || "20:00",
    maxDialsPerNumber: String(settings.maxDialsPerNumber ?? 3),
    transcriptDays: String(settings.retention?.transcriptDays ?? 90),
    callDays: String(settings.retention?.callDays ?? 730),
    moveToBestHour: settings.retry.moveToBestHour ?? false,
    textEnabled: settings.textFollowUp?.enabled ?? false,
    textWhen: [...(settings.textFollowUp?.when || TEXT_WHEN.map(([when]) => when))],
    delayMinutes: String(settings.textFollowUp?.delayMinutes ?? 10),
    defaultLanguage: settings.defaultLanguage || "en-US",
    agents: Object.entries(settings.agents || {}).map(([language, agents]) => ({
      language,
      agentId: agents.agentId || "",
      textAgentId: agents.textAgentId || "",
    })),
  };
}

/** @param {string} text a number as typed: sent as a number when it is one, else as typed (the API says why not) */
const numberOr = (text) => (text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text);

/**
 * The agents by language, as the API takes them: an empty id is left out (the deployment's default agent).
 * @param {AgentRow[]} rows
 */
function agentsOf(rows) {
  /** @type {Record<string, {agentId?: string, textAgentId?: string}>} */
  const agents = {};
  for (const row of rows) {
    const language = row.language.trim();
    if (!language && !row.agentId.trim() && !row.textAgentId.trim()) continue; // a row added and left empty
    agents[language] = {
      ...(row.agentId.trim() ? { agentId: row.agentId.trim() } : {}),
      ...(row.textAgentId.trim() ? { textAgentId: row.textAgentId.trim() } : {}),
    };
  }
  return agents;
}

/**
 * @param {Draft} draft
 * @param {FullSettings} saved the settings as the server sent them: a section it did not send (a server from before
 *   that section) is not sent back, as the server refuses fields it does not know
 */
function bodyOf(draft, saved) {
  const hours = /** @type {Record<string, [string, string][]>} */ ({});
  for (const [day] of WEEKDAYS) hours[day] = draft.hours[day].map(({ start, end }) => [start.trim(), end.trim()]);
  return {
    timezone: draft.timezone.trim(),
    businessHours: hours,
    closedDates: draft.closedDates,
    retry: {
      maxRetries: numberOr(draft.maxRetries),
      backoffSeconds: draft.waits
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean)
        .map((minutes) => {
          const value = numberOr(minutes);
          return typeof value === "number" ? Math.round(value * 60) : value;
        }),
      retryOnVoicemail: draft.retryOnVoicemail,
      ...("moveToBestHour" in saved.retry ? { moveToBestHour: draft.moveToBestHour } : {}),
    },
    ...("textFollowUp" in saved ? { textFollowUp: { enabled: draft.textEnabled, when: draft.textWhen, delayMinutes: numberOr(draft.delayMinutes) } } : {}),
    ...("defaultLanguage" in saved ? { defaultLanguage: draft.defaultLanguage.trim() } : {}),
    ...("agents" in saved ? { agents: agentsOf(draft.agents) } : {}),
    maxConcurrentCalls: numberOr(draft.maxConcurrentCalls),
    agentId: draft.agentId.trim() || null,
    fromNumber: draft.fromNumber.trim() || null,
    notifications: {
      emails: draft.emails
        .split(/[\s,;]+/)
        .map((address) => address.trim())
        .filter(Boolean),
      webhookUrl: draft.webhookUrl.trim() || null,
      events: draft.events,
      digestHour: numberOr(draft.digestHour),
    },
    followUpRules: { flag: draft.flag },
    clinicName: draft.clinicName.trim() || null,
    clinicPhone: draft.clinicPhone.trim() || null,
    requireConsent: draft.requireConsent,
    ownerCallingHours: { start: draft.ownerStart.trim(), end: draft.ownerEnd.trim() },
    maxDialsPerNumber: numberOr(draft.maxDialsPerNumber),
    retention: { transcriptDays: numberOr(draft.transcriptDays), callDays: numberOr(draft.callDays) },
  };
}

/**
 * Which control a refused field belongs to.
 * @param {string} field the API's path, e.g. "businessHours.mon.0", "retry.backoffSeconds.1", "agents.es-US.agentId"
 * @param {AgentRow[]} agents the rows as sent, to find the row of a language
 */
function controlOf(field, agents) {
  const [first, second, third] = field.split(".");
  if (first === "textFollowUp") return second === "when" ? "textWhen" : second === "enabled" ? "textEnabled" : "delayMinutes";
  if (first === "agents") {
    const row = agents.findIndex((agent) => agent.language.trim() === second);
    if (row < 0) return "agents";
    return third === "agentId" || third === "textAgentId" ? `agents-${row}-${third}` : `agents-${row}-language`;
  }
  if (first === "retry" && second === "moveToBestHour") return "moveToBestHour";
  if (first === "businessHours" && second) return `hours-${second}`;
  if (first === "retry") return second === "backoffSeconds" ? "waits" : second || "waits";
  if (first === "notifications") return ["emails", "webhookUrl", "events", "digestHour"].includes(second) ? second : "emails";
  if (first === "followUpRules") return "flag";
  if (first === "retention") return second === "callDays" ? "callDays" : "transcriptDays";
  if (first === "ownerCallingHours") return second === "end" ? "ownerEnd" : "ownerStart";
  const controls = ["defaultLanguage", "timezone", "closedDates", "maxConcurrentCalls", "agentId", "fromNumber", "clinicName", "clinicPhone", "maxDialsPerNumber"];
  return controls.includes(first) ? first : "form";
}

/**
 * @param {string[]} list
 * @param {string} item
 * @param {boolean} on
 */
const toggled = (list, item, on) => (on ? [...new Set([...list, item])] : list.filter((entry) => entry !== item));

export function SettingsPage() {
  const { session, settings, settingsSaved } = useClinic();
  const [draft, setDraft] = useState(() => draftOf(settings));
  const [errors, setErrors] = useState(/** @type {Record<string, string>} */ ({}));
  const [message, setMessage] = useState(/** @type {Message | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [newClosed, setNewClosed] = useState("");
  const readOnly = !session.isAdmin;
  const zones = knownZones();

  /** @param {Partial<Draft>} change */
  const edit = (change) => setDraft({ ...draft, ...change });
  /**
   * @param {Weekday} day
   * @param {{start: string, end: string}[]} windows
   */
  const setDay = (day, windows) => edit({ hours: { ...draft.hours, [day]: windows } });
  /** @param {Event} event */
  const value = (event) => /** @type {HTMLInputElement} */ (event.currentTarget).value;

  /** @param {SubmitEvent} event */
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    /** @type {ApiResult<FullSettings>} */
    const result = await api("PUT", "/clinic/settings", { body: bodyOf(draft, settings) });
    setBusy(false);
    if (result.ok) {
      settingsSaved(result.data);
      setDraft(draftOf(result.data));
      setErrors({});
      setMessage({ kind: "success", text: "Settings saved. Calls already scheduled keep their time; each is checked against the new hours when it is placed." });
      return;
    }
    if (result.kind === "http" && result.status === 422) {
      /** @type {Record<string, string>} */
      const found = {};
      for (const detail of result.details) {
        const control = controlOf(String(detail.field || ""), draft.agents);
        const text = String(detail.message || result.message || "This value is refused.");
        found[control] = found[control] ? `${found[control]}; ${text}` : text;
      }
      setErrors(found);
      const count = Object.keys(found).length;
      setMessage({ kind: "error", text: `Nothing was saved: ${count === 1 ? "one field needs" : `${count} fields need`} a change (marked below).${found.form ? ` ${found.form}` : ""}` });
      return;
    }
    setMessage({ kind: "error", text: `Nothing was saved. ${failureText(result)}` });
  };

  const hint = (/** @type {string} */ id) => ({ error: errors[id] });
  return (
    <section aria-labelledby="settings-title">
      <div class="page-head">
        <h1 id="settings-title">Clinic settings</h1>
      </div>
      {readOnly && (
        <p class="read-only" id="read-only">
          You can see the clinic's settings; changing them needs a clinic admin account.
        </p>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <form onSubmit={save} noValidate aria-labelledby="settings-title">
        <fieldset disabled={readOnly} class="plain">
          <section class="panel" aria-labelledby="when-title">
            <h2 id="when-title">When calls may be placed</h2>
            <Field id="timezone" label="Timezone" error={errors.timezone} hint="Type to search, e.g. New York or Chicago">
              <input
                id="timezone"
                list="zones"
                value={draft.timezone}
                autoComplete="off"
                onInput={(event) => edit({ timezone: value(event) })}
                aria-invalid={errors.timezone ? "true" : undefined}
                aria-describedby={describedBy("timezone", { hint: true, ...hint("timezone") })}
              />
              <datalist id="zones">
                {zones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </Field>

            <h3>Opening hours</h3>
            <p class="muted">Calls are placed only inside these hours, in the clinic's timezone. A day may have several windows (09:00 to 12:00 and 13:00 to 17:00); 24:00 ends a day.</p>
            {errors.hours && <p class="field-error">{errors.hours}</p>}
            <div class="week">
              {WEEKDAYS.map(([day, name]) => (
                <div key={day} class={`day${errors[`hours-${day}`] ? " field-invalid" : ""}`} role="group" aria-labelledby={`day-${day}`}>
                  <div class="day-name" id={`day-${day}`}>
                    {name}
                  </div>
                  <div class="windows">
                    {draft.hours[day].length === 0 && <span class="muted">Closed</span>}
                    {draft.hours[day].map((window, index) => (
                      <div class="window" key={index}>
                        <input
                          class="hhmm"
                          value={window.start}
                          inputMode="numeric"
                          placeholder="09:00"
                          aria-label={`${name}, window ${index + 1}, opens`}
                          aria-invalid={errors[`hours-${day}`] ? "true" : undefined}
                          onInput={(event) => setDay(day, draft.hours[day].map((w, i) => (i === index ? { ...w, start: value(event) } : w)))}
                        />
                        <span aria-hidden="true">to</span>
                        <input
                          class="hhmm"
                          value={window.end}
                          inputMode="numeric"
                          placeholder="17:00"
                          aria-label={`${name}, window ${index + 1}, closes`}
                          aria-invalid={errors[`hours-${day}`] ? "true" : undefined}
                          onInput={(event) => setDay(day, draft.hours[day].map((w, i) => (i === index ? { ...w, end: value(event) } : w)))}
                        />
                        <button
                          type="button"
                          class="link-button"
                          aria-label={`Remove ${name} window ${index + 1}`}
                          onClick={() => setDay(day, draft.hours[day].filter((_, i) => i !== index))}
                        >
                          Remove
                        </button>
                      </div>
                    ))}
                    <button
                      type="button"
                      class="link-button"
                      aria-label={`Add hours on ${name}`}
                      onClick={() => setDay(day, [...draft.hours[day], { start: "09:00", end: "17:00" }])}
                    >
                      Add hours
                    </button>
                    {errors[`hours-${day}`] && <p class="field-error">{errors[`hours-${day}`]}</p>}
                  </div>
                </div>
              ))}
            </div>

            <h3 id="closed-title">Closed dates</h3>
            <div class={errors.closedDates ? "field-invalid" : ""}>
              {draft.closedDates.length === 0 ? (
                <p class="muted">None: the weekly hours apply every week.</p>
              ) : (
                <ul class="dates-list" aria-labelledby="closed-title">
                  {draft.closedDates.map((date) => (
                    <li key={date}>
                      {date}{" "}
                      <button type="button" class="link-button" aria-label={`Remove closed date ${date}`} onClick={() => edit({ closedDates: draft.closedDates.filter((d) => d !== date) })}>
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <div class="row">
                <Field id="new-closed" label="Add a closed date" error={errors.closedDates}>
                  <input id="new-closed" type="date" value={newClosed} onInput={(event) => setNewClosed(value(event))} aria-describedby={describedBy("new-closed", hint("closedDates"))} />
                </Field>
                <button
                  type="button"
                  class="secondary align-end"
                  onClick={() => {
                    if (newClosed && !draft.closedDates.includes(newClosed)) edit({ closedDates: [...draft.closedDates, newClosed].sort() });
                    setNewClosed("");
                  }}
                >
                  Add
                </button>
              </div>
            </div>
          </section>

          <section class="panel" aria-labelledby="retry-title">
            <h2 id="retry-title">Retries and dialing</h2>
            <div class="row">
              <Field id="maxRetries" label="Retries after no answer or a busy line" error={errors.maxRetries}>
                <input id="maxRetries" inputMode="numeric" value={draft.maxRetries} onInput={(event) => edit({ maxRetries: value(event) })} aria-invalid={errors.maxRetries ? "true" : undefined} aria-describedby={describedBy("maxRetries", hint("maxRetries"))} />
              </Field>
              <Field id="waits" label="Minutes to wait before each retry" error={errors.waits} hint="Comma-separated, e.g. 5, 10, 20">
                <input id="waits" value={draft.waits} onInput={(event) => edit({ waits: value(event) })} aria-invalid={errors.waits ? "true" : undefined} aria-describedby={describedBy("waits", { hint: true, ...hint("waits") })} />
              </Field>
            </div>
            <label class="check">
              <input type="checkbox" checked={draft.retryOnVoicemail} onChange={(event) => edit({ retryOnVoicemail: /** @type {HTMLInputElement} */ (event.currentTarget).checked })} />
              Retry when the call reaches voicemail
            </label>
            {"moveToBestHour" in settings.retry && (
              <label class="check">
                <input type="checkbox" id="moveToBestHour" checked={draft.moveToBestHour} onChange={(event) => edit({ moveToBestHour: /** @type {HTMLInputElement} */ (event.currentTarget).checked })} />
                After no answer, a retry may move to an hour when this clinic's owners answer more
              </label>
            )}
            <div class="row">
              <Field id="maxConcurrentCalls" label="Calls at the same time, at most" error={errors.maxConcurrentCalls}>
                <input id="maxConcurrentCalls" inputMode="numeric" value={draft.maxConcurrentCalls} onInput={(event) => edit({ maxConcurrentCalls: value(event) })} aria-invalid={errors.maxConcurrentCalls ? "true" : undefined} aria-describedby={describedBy("maxConcurrentCalls", hint("maxConcurrentCalls"))} />
              </Field>
            </div>
            <div class="row">
              <Field id="agentId" label="Voice agent (Retell agent id)" error={errors.agentId} hint="Empty: the deployment's default agent">
                <input id="agentId" value={draft.agentId} onInput={(event) => edit({ agentId: value(event) })} aria-invalid={errors.agentId ? "true" : undefined} aria-describedby={describedBy("agentId", { hint: true, ...hint("agentId") })} />
              </Field>
              <Field id="fromNumber" label="Calls come from (phone number)" error={errors.fromNumber} hint="Empty: the deployment's default number">
                <input id="fromNumber" type="tel" value={draft.fromNumber} onInput={(event) => edit({ fromNumber: value(event) })} aria-invalid={errors.fromNumber ? "true" : undefined} aria-describedby={describedBy("fromNumber", { hint: true, ...hint("fromNumber") })} />
              </Field>
            </div>
          </section>
          {"textFollowUp" in settings && (
            <section class="panel" aria-labelledby="text-follow-up-title">
              <h2 id="text-follow-up-title">Text follow-up</h2>
              <p class="muted">
                When the phone did not reach the owner, one text conversation (SMS) is started with them, answered by the clinic's text agent. Only
                owners who agreed to texts when the call was scheduled, inside their calling hours, and never a number on the do-not-call list. The
                conversation shows on the call's page.
              </p>
              <label class="check">
                <input type="checkbox" id="textEnabled" checked={draft.textEnabled} onChange={(event) => edit({ textEnabled: /** @type {HTMLInputElement} */ (event.currentTarget).checked })} />
                Send a text when the phone did not reach the owner
              </label>
              <fieldset class="checks" id="textWhen">
                <legend>Send it when</legend>
                {TEXT_WHEN.map(([when, label]) => (
                  <label class="check" key={when}>
                    <input type="checkbox" name="textWhen" value={when} checked={draft.textWhen.includes(when)} onChange={(e) => edit({ textWhen: toggled(draft.textWhen, when, /** @type {HTMLInputElement} */ (e.currentTarget).checked) })} />
                    {label}
                  </label>
                ))}
                {errors.textWhen && <p class="field-error">{errors.textWhen}</p>}
              </fieldset>
              <div class="row">
                <Field id="delayMinutes" label="Minutes after the call to send it" error={errors.delayMinutes} hint="0 to 1440 (a day); moved into the owner's hours when needed">
                  <input id="delayMinutes" inputMode="numeric" value={draft.delayMinutes} onInput={(event) => edit({ delayMinutes: value(event) })} aria-invalid={errors.delayMinutes ? "true" : undefined} aria-describedby={describedBy("delayMinutes", { hint: true, ...hint("delayMinutes") })} />
                </Field>
              </div>
            </section>
          )}
          {"agents" in settings && (
            <section class="panel" aria-labelledby="languages-title">
              <h2 id="languages-title">Languages</h2>
              <p class="muted">
                A call is placed, and its text sent, by the agents of its language. The default language uses the voice agent above (or the
                deployment's) unless it has its own; any other language needs a voice agent of its own, or a call in it is refused. Without a text
                agent of its own, a language's texts go through the deployment's.
              </p>
              <div class="row">
                <Field id="defaultLanguage" label="Default language" error={errors.defaultLanguage} hint={`A call scheduled without a language is in this one: ${languageName(draft.defaultLanguage.trim() || "en-US")}`}>
                  <input id="defaultLanguage" value={draft.defaultLanguage} placeholder="en-US" autoComplete="off" onInput={(event) => edit({ defaultLanguage: value(event) })} aria-invalid={errors.defaultLanguage ? "true" : undefined} aria-describedby={describedBy("defaultLanguage", { hint: true, ...hint("defaultLanguage") })} />
                </Field>
              </div>
              {errors.agents && <p class="field-error">{errors.agents}</p>}
              {draft.agents.length === 0 && <p class="muted" id="agents-none">No language has agents of its own.</p>}
              <div class="agent-rows" id="agents">
                {draft.agents.map((row, index) => {
                  const name = row.language.trim() ? languageName(row.language.trim()) : `Language ${index + 1}`;
                  /** @param {Partial<AgentRow>} change */
                  const setRow = (change) => edit({ agents: draft.agents.map((each, i) => (i === index ? { ...each, ...change } : each)) });
                  return (
                    <div key={index} class="row agent-row" role="group" aria-label={name}>
                      <Field id={`agents-${index}-language`} label="Language" error={errors[`agents-${index}-language`]} hint={row.language.trim() ? name : "A BCP 47 tag: en-US, es-US, es"}>
                        <input
                          id={`agents-${index}-language`}
                          class="language"
                          value={row.language}
                          placeholder="es-US"
                          autoComplete="off"
                          onInput={(event) => setRow({ language: value(event) })}
                          aria-invalid={errors[`agents-${index}-language`] ? "true" : undefined}
                          aria-describedby={describedBy(`agents-${index}-language`, { hint: true, ...hint(`agents-${index}-language`) })}
                        />
                      </Field>
                      <Field id={`agents-${index}-agentId`} label="Voice agent id" error={errors[`agents-${index}-agentId`]}>
                        <input id={`agents-${index}-agentId`} value={row.agentId} autoComplete="off" onInput={(event) => setRow({ agentId: value(event) })} aria-invalid={errors[`agents-${index}-agentId`] ? "true" : undefined} aria-describedby={describedBy(`agents-${index}-agentId`, hint(`agents-${index}-agentId`))} />
                      </Field>
                      <Field id={`agents-${index}-textAgentId`} label="Text agent id" error={errors[`agents-${index}-textAgentId`]}>
                        <input id={`agents-${index}-textAgentId`} value={row.textAgentId} autoComplete="off" onInput={(event) => setRow({ textAgentId: value(event) })} aria-invalid={errors[`agents-${index}-textAgentId`] ? "true" : undefined} aria-describedby={describedBy(`agents-${index}-textAgentId`, hint(`agents-${index}-textAgentId`))} />
                      </Field>
                      <button type="button" class="link-button align-end" aria-label={`Remove ${name}`} onClick={() => edit({ agents: draft.agents.filter((_, i) => i !== index) })}>
                        Remove
                      </button>
                    </div>
                  );
                })}
              </div>
              <button type="button" class="secondary" id="add-language" onClick={() => edit({ agents: [...draft.agents, { language: "", agentId: "", textAgentId: "" }] })}>
                Add a language
              </button>
            </section>
          )}
          <section class="panel" aria-labelledby="safety-title">
            <h2 id="safety-title">Calling owners safely</h2>
            <div class="row">
              <Field id="clinicName" label="Clinic name the agent gives" error={errors.clinicName} hint="Empty: each call must carry it">
                <input id="clinicName" value={draft.clinicName} onInput={(event) => edit({ clinicName: value(event) })} aria-invalid={errors.clinicName ? "true" : undefined} aria-describedby={describedBy("clinicName", { hint: true, ...hint("clinicName") })} />
              </Field>
              <Field id="clinicPhone" label="Number owners can call back" error={errors.clinicPhone} hint="Empty: each call must carry it">
                <input id="clinicPhone" type="tel" value={draft.clinicPhone} onInput={(event) => edit({ clinicPhone: value(event) })} aria-invalid={errors.clinicPhone ? "true" : undefined} aria-describedby={describedBy("clinicPhone", { hint: true, ...hint("clinicPhone") })} />
              </Field>
            </div>
            <label class="check">
              <input type="checkbox" checked={draft.requireConsent} onChange={(event) => edit({ requireConsent: /** @type {HTMLInputElement} */ (event.currentTarget).checked })} />
              A call needs the owner's consent, recorded when it is scheduled
            </label>
            <div class="row">
              <Field id="ownerStart" label="Call owners from (their local time)" error={errors.ownerStart} hint="08:00 at the earliest">
                <input id="ownerStart" type="time" value={draft.ownerStart} onInput={(event) => edit({ ownerStart: value(event) })} aria-invalid={errors.ownerStart ? "true" : undefined} aria-describedby={describedBy("ownerStart", { hint: true, ...hint("ownerStart") })} />
              </Field>
              <Field id="ownerEnd" label="Until" error={errors.ownerEnd} hint="20:00 at the latest">
                <input id="ownerEnd" type="time" value={draft.ownerEnd} onInput={(event) => edit({ ownerEnd: value(event) })} aria-invalid={errors.ownerEnd ? "true" : undefined} aria-describedby={describedBy("ownerEnd", { hint: true, ...hint("ownerEnd") })} />
              </Field>
              <Field id="maxDialsPerNumber" label="Dials to one number in 24 hours, at most" error={errors.maxDialsPerNumber} hint="3 at the most">
                <input id="maxDialsPerNumber" inputMode="numeric" value={draft.maxDialsPerNumber} onInput={(event) => edit({ maxDialsPerNumber: value(event) })} aria-invalid={errors.maxDialsPerNumber ? "true" : undefined} aria-describedby={describedBy("maxDialsPerNumber", { hint: true, ...hint("maxDialsPerNumber") })} />
              </Field>
            </div>
          </section>
          <section class="panel" aria-labelledby="retention-title">
            <h2 id="retention-title">Keeping owners' data</h2>
            <fieldset class="plain" id="retention">
              <legend class="hint">Counted from the day a call ends; a change applies to the calls already kept too.</legend>
              <div class="row">
                <Field id="transcriptDays" label="Keep transcripts, summaries and notes for (days)" error={errors.transcriptDays} hint="7 to 3650; then they, and Retell's copy and recording, are deleted">
                  <input id="transcriptDays" inputMode="numeric" value={draft.transcriptDays} onInput={(event) => edit({ transcriptDays: value(event) })} aria-invalid={errors.transcriptDays ? "true" : undefined} aria-describedby={describedBy("transcriptDays", { hint: true, ...hint("transcriptDays") })} />
                </Field>
                <Field id="callDays" label="Keep the call itself for (days)" error={errors.callDays} hint="7 to 3650; then the whole call is deleted">
                  <input id="callDays" inputMode="numeric" value={draft.callDays} onInput={(event) => edit({ callDays: value(event) })} aria-invalid={errors.callDays ? "true" : undefined} aria-describedby={describedBy("callDays", { hint: true, ...hint("callDays") })} />
                </Field>
              </div>
            </fieldset>
          </section>
          <section class="panel" aria-labelledby="notifications-title">
            <h2 id="notifications-title">Who is told, and about what</h2>
            <div class="row">
              <Field id="emails" label="Email addresses (up to 10)" error={errors.emails} hint="One a line, or separated by commas">
                <textarea id="emails" rows={3} value={draft.emails} onInput={(event) => edit({ emails: value(event) })} aria-invalid={errors.emails ? "true" : undefined} aria-describedby={describedBy("emails", { hint: true, ...hint("emails") })} />
              </Field>
              <Field id="webhookUrl" label="Slack or Teams incoming webhook (https)" error={errors.webhookUrl} hint="Shown masked once saved: leave it to keep it, paste a new one to replace it, empty it for no chat messages">
                <input id="webhookUrl" type="url" value={draft.webhookUrl} onInput={(event) => edit({ webhookUrl: value(event) })} aria-invalid={errors.webhookUrl ? "true" : undefined} aria-describedby={describedBy("webhookUrl", { hint: true, ...hint("webhookUrl") })} />
              </Field>
            </div>
            <fieldset class="checks" id="events">
              <legend>Tell them when</legend>
              {NOTICE_EVENTS.map(([event, label]) => (
                <label class="check" key={event}>
                  <input type="checkbox" name="events" value={event} checked={draft.events.includes(event)} onChange={(e) => edit({ events: toggled(draft.events, event, /** @type {HTMLInputElement} */ (e.currentTarget).checked) })} />
                  {label}
                </label>
              ))}
              {errors.events && <p class="field-error">{errors.events}</p>}
            </fieldset>
            <div class="row">
              <Field id="digestHour" label="Daily digest at (hour, clinic time, 0-23)" error={errors.digestHour}>
                <input id="digestHour" inputMode="numeric" value={draft.digestHour} onInput={(event) => edit({ digestHour: value(event) })} aria-invalid={errors.digestHour ? "true" : undefined} aria-describedby={describedBy("digestHour", hint("digestHour"))} />
              </Field>
            </div>
            <fieldset class="checks" id="flag">
              <legend>A call needs follow-up when</legend>
              {FOLLOW_UP_REASONS.map(([reason, label]) => (
                <label class="check" key={reason}>
                  <input type="checkbox" name="flag" value={reason} checked={draft.flag.includes(reason)} onChange={(e) => edit({ flag: toggled(draft.flag, reason, /** @type {HTMLInputElement} */ (e.currentTarget).checked) })} />
                  {label}
                </label>
              ))}
              {errors.flag && <p class="field-error">{errors.flag}</p>}
            </fieldset>
          </section>
          {!readOnly && (
            <div class="actions sticky-actions">
              <button type="submit" disabled={busy}>
                {busy ? "Saving…" : "Save settings"}
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setDraft(draftOf(settings));
                  setErrors({});
                  setMessage(null);
                }}
              >
                Undo changes
              </button>
            </div>
          )}
        </fieldset>
      </form>
    </section>
  );
}
