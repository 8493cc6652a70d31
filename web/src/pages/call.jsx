// One call: every field, its attempts, its text follow-up, Retell's analysis, the transcript and the recording; for
// admins, while it
// waits, reschedule (a date and time in clinic time), call now and cancel. A change decided on a version that has
// changed meanwhile is refused by the API (If-Match) and the page says so and shows the call as it is now.
import { useEffect, useState } from "preact/hooks";
import { ERROR_CODES } from "../../../extension/lib/error-codes.js";
import { clinicToday, clockTime, countdown, lasted, longDate, longWhen, wallAt, wallToInstant, zoneAbbreviation } from "../../../extension/lib/time.js";
import { chosenText, disconnectionText, languageName, outcomeText, reasonText, sourceText, statusText } from "../../../extension/lib/words.js";
import { api, failureText, fetchRecording } from "../api.js";
import { useClinic } from "../clinic.js";
import { Dialog } from "../components/dialog.jsx";
import { EraseOwner } from "../components/erase-owner.jsx";
import { Field, describedBy } from "../components/field.jsx";
import { defaultLanguageOf } from "../components/language-tag.jsx";
import { Notice } from "../components/notice.jsx";
import { Row } from "../components/row.jsx";
import { StatusBadge } from "../components/status-badge.jsx";
import { TextBadge } from "../components/text-badge.jsx";
import { TextFollowUp } from "../components/text-follow-up.jsx";
import { useLoad, useNow } from "../hooks.js";
/** @import { ApiFailure, ApiResult, CallStatus } from "../../../extension/lib/api.js" */
/** @import { Message } from "../components/notice.jsx" */
/** @import { FullCall } from "../types.js" */

const ACTIVE = new Set(["scheduled", "initiated", "in_progress"]);
const TEXT_OPEN = new Set(["scheduled", "sent"]); // a text still waiting or under way: the call still changes

/**
 * What the page says about a refused change: the API's codes in the clinic's words.
 * @param {ApiFailure} failure
 * @param {string} zone
 * @returns {Message}
 */
function refusal(failure, zone) {
  if (failure.kind === "http" && failure.code === "changed_meanwhile") {
    return {
      kind: "warning",
      text: "Someone else changed this call while you were looking at it, so nothing was changed. It is shown below as it is now: check it and decide again.",
    };
  }
  if (failure.kind === "http" && failure.code === ERROR_CODES.INVALID_STATE) {
    const status = /** @type {CallStatus | undefined} */ (failure.details[0]?.status);
    return { kind: "warning", text: `This call can no longer be changed: it is ${status ? statusText(status).toLowerCase() : "no longer waiting"} now.` };
  }
  if (failure.kind === "http" && failure.code === ERROR_CODES.OUTSIDE_BUSINESS_HOURS) {
    const next = /** @type {string | undefined} */ (failure.details[0]?.nextOpenSlot);
    return {
      kind: "warning",
      text: `The clinic is closed now, so nobody was called. It next opens ${next ? longWhen(next, zone) : "later"}; reschedule the call for then instead.`,
    };
  }
  return { kind: "error", text: failureText(failure) };
}

/** @param {{callId: string}} props */
export function CallPage({ callId }) {
  const { session, settings, config } = useClinic();
  const zone = settings.timezone;
  const idexx = (config.idexxBase || "https://us.idexxneo.com").replace(/\/+$/, "");
  /** @type {() => Promise<ApiResult<FullCall>>} */
  const readCall = () => api("GET", `/calls/${encodeURIComponent(callId)}`);
  const loaded = useLoad(readCall, [callId], { refreshSeconds: 15, refreshWhile: (shown) => !shown || ACTIVE.has(shown.status) || TEXT_OPEN.has(shown.text?.status || "") });
  const call = loaded.data;
  const notFound = loaded.failure?.kind === "http" && loaded.failure.status === 404;
  const loadProblem = loaded.failure && (notFound ? "There is no such call in this clinic." : failureText(loaded.failure));
  const [message, setMessage] = useState(/** @type {Message | null} */ (null));
  const [dialog, setDialog] = useState(/** @type {"reschedule" | "cancel" | null} */ (null));
  const [busy, setBusy] = useState(false);
  useEffect(() => setMessage(null), [callId]);

  /**
   * Sends a change decided on the call as shown; on "changed meanwhile" the call is read again.
   * @param {"PATCH" | "POST"} method
   * @param {string} suffix
   * @param {unknown} body
   * @returns {Promise<ApiResult<FullCall>>}
   */
  const change = async (method, suffix, body) => {
    setBusy(true);
    /** @type {ApiResult<FullCall>} */
    const result = await api(method, `/calls/${encodeURIComponent(callId)}${suffix}`, {
      body,
      ifMatch: call?.version,
    });
    setBusy(false);
    if (result.ok) loaded.setData(result.data);
    else if (result.kind === "http" && result.status === 409) {
      setDialog(null);
      setMessage(refusal(result, zone));
      await loaded.reload();
    }
    return result;
  };

  if (loadProblem && !call) {
    return (
      <section>
        <h1>{notFound ? "Call not found" : "This call could not be loaded"}</h1>
        <Notice kind="error">{loadProblem}</Notice>
        <p>
          <a href="/calls">Back to the calls</a>
        </p>
      </section>
    );
  }
  if (!call) return <p class="loading">Loading the call…</p>;

  const canAct = session.isAdmin && call.status === "scheduled";
  const consultation = call.metadata?.consultation_id;
  return (
    <article aria-labelledby="call-title">
      <p class="crumbs">
        <a href="/calls">← All calls</a>
      </p>
      <div class="page-head">
        <h1 id="call-title">
          {call.petName} · {call.ownerName}
        </h1>
        <StatusBadge status={call.status} />
        <TextBadge text={call.text} />
      </div>
      <When call={call} zone={zone} />
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {loadProblem && <Notice kind="error">{loadProblem}</Notice>}

      {session.isAdmin && !ACTIVE.has(call.status) && !call.phoneNumber.startsWith("erased:") && (
        <div class="actions" role="group" aria-label="The owner's data">
          <EraseOwner
            phoneNumber={call.phoneNumber}
            id="erase-owner"
            onDone={(done) => {
              setMessage(done);
              loaded.reload();
            }}
          />
        </div>
      )}
      {session.isAdmin ? (
        call.status === "scheduled" && (
          <div class="actions" role="group" aria-label="Change this call">
            <button type="button" onClick={() => setDialog("reschedule")} disabled={busy}>
              Reschedule
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setMessage(null);
                const result = await change("POST", "/call-now", undefined);
                if (result.ok) setMessage({ kind: "success", text: "Calling now: the owner will be dialed within seconds." });
                else if (result.kind !== "http" || result.status !== 409) setMessage(refusal(result, zone));
              }}
            >
              Call now
            </button>
            <button type="button" class="danger" onClick={() => setDialog("cancel")} disabled={busy}>
              Cancel call
            </button>
          </div>
        )
      ) : (
        <p class="read-only" id="read-only">
          You can see this call; changing it needs a clinic admin account.
        </p>
      )}

      <div class="columns">
        <section aria-labelledby="details-title" class="panel">
          <h2 id="details-title">Details</h2>
          <dl class="details">
            <Row label="Call time">{longWhen(call.scheduledFor, zone)}</Row>
            {call.ownerTimezone && (
              <Row label="Owner's time">
                {longWhen(call.scheduledFor, call.ownerTimezone)} ({call.ownerTimezone})
              </Row>
            )}
            <Row label="Best time">{chosenText(call.chosen)}</Row>
            {call.rescheduled && (
              <Row label="Asked for">{longWhen(call.requestedFor, zone)} (moved into business hours and the owner's calling hours)</Row>
            )}
            <Row label="Attempt">
              {call.attempt} of {call.maxAttempts}
            </Row>
            {call.nextRetryAt && call.status === "scheduled" && <Row label="Next retry">{longWhen(call.nextRetryAt, zone)}</Row>}
            <Row label="Outcome">{outcomeText(call.outcome)}</Row>
            <Row label="Why">{call.statusReason}</Row>
            <Row label="Owner">{call.ownerName}</Row>
            <Row label="Phone">{call.phoneNumber}</Row>
            <Row label="Pet">{call.petName}</Row>
            <Row label="Vet">{call.vetName}</Row>
            <Row label="Clinic">{call.clinicName}</Row>
            <Row label="Clinic phone">{call.clinicPhone}</Row>
            <Row label="Notes">{call.notes}</Row>
            <Row label="Consent">
              {call.consent &&
                `${call.consent.given ? "Given" : "Not given"} (${call.consent.method.replaceAll("_", " ")}${call.consent.note ? `: ${call.consent.note}` : ""}), recorded by ${call.consent.recordedBy} on ${longWhen(call.consent.recordedAt, zone)}`}
            </Row>
            <Row label="Texts">{call.consent && (consentsToTexts(call) ? "The owner agreed to texts too" : "No consent to texts: the owner is only called")}</Row>
            <Row label="Language">{call.language && call.language.toLowerCase() !== defaultLanguageOf(settings).toLowerCase() ? `${languageName(call.language)} (${call.language})` : ""}</Row>
            <Row label="Consultation">
              {consultation && (
                <a href={`${idexx}/consultations/${encodeURIComponent(consultation)}`} target="_blank" rel="noopener noreferrer">
                  IDEXX Neo consultation {consultation}
                </a>
              )}
            </Row>
            <Row label="Source">{sourceText(call.metadata?.source)}</Row>
            <Row label="Scheduled by">
              {call.createdBy} on {longWhen(call.createdAt, zone)}
            </Row>
            <Row label="Last change">{longWhen(call.updatedAt, zone)}</Row>
            <Row label="How it ended">{disconnectionText(call.disconnectionReason)}</Row>
            <Row label="Call id">
              <code>{call.callId}</code>
            </Row>
            <Row label="Retell call id">{call.retellCallId && <code>{call.retellCallId}</code>}</Row>
            <Row label="Timezone">{call.timezone}</Row>
          </dl>
          {call.dischargeSummary && (
            <>
              <h3>Discharge summary</h3>
              <p class="prose">{call.dischargeSummary}</p>
            </>
          )}
        </section>

        <div>
          <Attempts call={call} zone={zone} />
          <TextFollowUp call={call} zone={zone} />
          <Analysis call={call} />
          <Recording call={call} />
          <section aria-labelledby="transcript-title" class="panel">
            <h2 id="transcript-title">Transcript</h2>
            {call.transcript ? <pre class="transcript">{call.transcript}</pre> : <p class="muted">No transcript yet.</p>}
          </section>
        </div>
      </div>

      <Dialog id="reschedule" title="Reschedule the call" open={dialog === "reschedule" && canAct} onClose={() => setDialog(null)}>
        <Reschedule
          call={call}
          zone={zone}
          busy={busy}
          onCancel={() => setDialog(null)}
          onSubmit={async (instant) => {
            const result = await change("PATCH", "", { scheduledFor: instant });
            if (result.ok) {
              setDialog(null);
              const moved = result.data;
              setMessage(
                moved.rescheduled
                  ? {
                      kind: "warning",
                      text: `You picked ${longWhen(moved.requestedFor, zone)}, when the clinic is closed or the owner is outside their calling hours (08:00–20:00 their time), so the call was moved: it will be placed ${longWhen(moved.scheduledFor, zone)}.`,
                    }
                  : { kind: "success", text: `Rescheduled: the call will be placed ${longWhen(moved.scheduledFor, zone)}.` },
              );
            }
            return result;
          }}
        />
      </Dialog>
      <Dialog id="cancel" title="Cancel this call?" open={dialog === "cancel" && canAct} onClose={() => setDialog(null)}>
        <p>
          {call.ownerName} will not be called about {call.petName}. This cannot be undone; to call later, schedule a new call.
        </p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={async () => {
              const result = await change("POST", "/cancel", undefined);
              if (result.ok) {
                setDialog(null);
                setMessage({ kind: "success", text: "The call is cancelled: nobody will be called." });
              } else if (result.kind !== "http" || result.status !== 409) {
                setDialog(null);
                setMessage(refusal(result, zone));
              }
            }}
          >
            Cancel the call
          </button>
          <button type="button" class="secondary" onClick={() => setDialog(null)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </article>
  );
}

/**
 * Whether the owner's recorded consent covers texts (`consent.channels`; calls only when it says nothing).
 * @param {FullCall} call
 */
const consentsToTexts = (call) => Boolean(call.consent?.given && (call.consent.channels || ["call"]).includes("text"));

/** @param {{call: FullCall, zone: string}} props */
function When({ call, zone }) {
  const now = useNow();
  if (call.status !== "scheduled") return <p class="when">{longWhen(call.scheduledFor, zone)}</p>;
  return (
    <p class="when">
      {longWhen(call.scheduledFor, zone)} · <span class="countdown">{countdown(call.scheduledFor, now)}</span>
    </p>
  );
}


/**
 * @param {{call: FullCall, zone: string, busy: boolean, onCancel: () => void,
 *   onSubmit: (instant: string) => Promise<ApiResult<FullCall>>}} props
 */
function Reschedule({ call, zone, busy, onCancel, onSubmit }) {
  const wall = wallAt(call.scheduledFor, zone);
  const [date, setDate] = useState(wall.date);
  const [time, setTime] = useState(wall.time);
  const [error, setError] = useState("");
  const hint = `Clinic time: ${zone} (${zoneAbbreviation(zone)}). Outside business hours, the call moves to the next open time.`;
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        const instant = wallToInstant(date, time, zone);
        if (!instant) {
          setError("Enter a date and a time.");
          return;
        }
        setError("");
        const result = await onSubmit(instant);
        if (!result.ok && result.kind === "http" && result.status === 422) {
          setError(result.details.find((detail) => detail.field === "scheduledFor")?.message || result.message || "This time is refused.");
        } else if (!result.ok && !(result.kind === "http" && result.status === 409)) setError(failureText(result));
      }}
    >
      <div class="row">
        <Field id="new-date" label="Date" error={error}>
          <input
            id="new-date"
            type="date"
            min={clinicToday(zone)}
            value={date}
            onInput={(event) => setDate(/** @type {HTMLInputElement} */ (event.currentTarget).value)}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={describedBy("new-date", { error, hint: undefined })}
            required
          />
        </Field>
        <Field id="new-time" label="Time" hint={hint}>
          <input
            id="new-time"
            type="time"
            step={60}
            value={time}
            onInput={(event) => setTime(/** @type {HTMLInputElement} */ (event.currentTarget).value)}
            aria-describedby={describedBy("new-time", { hint })}
            required
          />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Save the new time
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

/** @param {{call: FullCall, zone: string}} props */
function Attempts({ call, zone }) {
  return (
    <section aria-labelledby="attempts-title" class="panel">
      <h2 id="attempts-title">Attempts</h2>
      {call.attempts.length === 0 ? (
        <p class="muted">Not dialed yet.</p>
      ) : (
        <ol class="timeline">
          {call.attempts.map((attempt, index) => {
            const began = attempt.dialedAt || attempt.claimedAt;
            return (
              <li key={`${attempt.number}-${index}`}>
                <strong>Attempt {attempt.number}</strong>
                {began && <> · dialed {clockTime(began, zone)} on {longDate(began, zone)}</>}
                {attempt.startedAt && <> · answered {clockTime(attempt.startedAt, zone)}</>}
                {attempt.endedAt && <> · ended {clockTime(attempt.endedAt, zone)}</>}
                {attempt.startedAt && attempt.endedAt && <> ({lasted(attempt.startedAt, attempt.endedAt)})</>}
                <div>
                  {outcomeText(attempt.outcome) || "In progress"}
                  {attempt.disconnectionReason && <span class="muted"> · {disconnectionText(attempt.disconnectionReason)}</span>}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** @param {{call: FullCall}} props */
function Analysis({ call }) {
  const analysis = call.analysis;
  /** @param {boolean | null | undefined} value */
  const yesNo = (value) => (value === true ? "Yes" : value === false ? "No" : "");
  return (
    <section aria-labelledby="analysis-title" class="panel">
      <h2 id="analysis-title">Analysis</h2>
      {!analysis ? (
        <p class="muted">No analysis yet: it comes a little after the call ends.</p>
      ) : (
        <dl class="details">
          <Row label="Summary">{analysis.summary}</Row>
          <Row label="Owner's mood">{analysis.sentiment}</Row>
          <Row label="Call achieved its aim">{yesNo(analysis.successful)}</Row>
          <Row label="Reached voicemail">{yesNo(analysis.inVoicemail)}</Row>
          <Row label="Pet's condition">{analysis.petCondition || ""}</Row>
          <Row label="Owner's concerns">{analysis.ownerConcerns || ""}</Row>
        </dl>
      )}
      {(call.followUpReasons || []).length > 0 && (
        <dl class="details" id="follow-up-state">
          <Row label="Needs follow-up">
            {call.needsFollowUp ? (call.followUpReasons || []).map(reasonText).join("; ") : "No: done"}
          </Row>
          {call.followUp && (
            <Row label="Follow-up done">
              {`${longWhen(call.followUp.resolvedAt, call.timezone)} by ${call.followUp.resolvedBy}${call.followUp.note ? `: ${call.followUp.note}` : ""}`}
            </Row>
          )}
        </dl>
      )}
    </section>
  );
}

/** @param {{call: FullCall}} props */
function Recording({ call }) {
  const [state, setState] = useState(/** @type {{url?: string, text?: string, busy?: boolean}} */ ({}));
  useEffect(() => () => {
    if (state.url?.startsWith("blob:")) URL.revokeObjectURL(state.url);
  }, [state.url]);
  if (!call.hasRecording) return null;
  return (
    <section aria-labelledby="recording-title" class="panel">
      <h2 id="recording-title">Recording</h2>
      {state.url ? (
        <audio controls autoPlay src={state.url} aria-label="Call recording" />
      ) : (
        <button
          type="button"
          class="secondary"
          disabled={state.busy}
          onClick={async () => {
            setState({ busy: true });
            const recording = await fetchRecording(call.callId);
            setState(recording.ok ? { url: recording.url } : { text: recording.text });
          }}
        >
          {state.busy ? "Loading…" : "Play the recording"}
        </button>
      )}
      {state.text && <p class="muted">{state.text}</p>}
    </section>
  );
}
