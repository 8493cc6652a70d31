// The clinic's numbers for today, the last 7 or 30 days: calls by status and outcome, the answer rate, average
// attempts, the texts sent and the owners they reached, and the calls that failed (GET /clinic/overview); and, over
// the last 90 days, when owners answer (GET /clinic/answer-rates, a heat map).
import { shortWhen } from "../../../extension/lib/time.js";
import { OUTCOME, STATUS, STATUSES, outcomeText } from "../../../extension/lib/words.js";
import { api, failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { AnswerRatesMap } from "../components/answer-rates-map.jsx";
import { Notice } from "../components/notice.jsx";
import { useLoad } from "../hooks.js";
import { useLocation } from "../router.js";
/** @import { ApiResult, CallOutcome } from "../../../extension/lib/api.js" */
/** @import { AnswerRates } from "../answer-rates.js" */
/** @import { Overview } from "../types.js" */

const ANSWER_RATE_DAYS = 90; // a season of dials: enough for most hours to say something, recent enough to hold

/** @type {() => Promise<ApiResult<AnswerRates>>} */
const readAnswerRates = () => api("GET", `/clinic/answer-rates?days=${ANSWER_RATE_DAYS}`);

/** @type {[number, string][]} */
const PERIODS = [
  [1, "Today"],
  [7, "7 days"],
  [30, "30 days"],
];

export function OverviewPage() {
  const { settings } = useClinic();
  const zone = settings.timezone;
  const { query } = useLocation();
  const days = [1, 7, 30].includes(Number(query.get("days"))) ? Number(query.get("days")) : 7;
  /** @type {() => Promise<ApiResult<Overview>>} */
  const readOverview = () => api("GET", `/clinic/overview?days=${days}`);
  const loaded = useLoad(readOverview, [days], { refreshSeconds: 60 });
  // 90 days of dials change little in a minute: read once per visit, not refreshed.
  const rates = useLoad(readAnswerRates, []);
  const overview = loaded.data;
  const problem = loaded.failure && failureText(loaded.failure);

  const percent = (/** @type {number | null} */ rate) => (rate === null ? "—" : `${Math.round(rate * 100)}%`);
  const largest = overview ? Math.max(1, ...Object.values(overview.byStatus)) : 1;
  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Overview</h1>
        <nav class="segments" aria-label="Period">
          {PERIODS.map(([value, label]) => (
            <a key={value} href={`/overview?days=${value}`} aria-current={value === days ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
      </div>
      {problem && <Notice kind="error">{problem}</Notice>}
      {!overview && !problem && <p class="loading">Loading the overview…</p>}
      {overview && (
        <>
          <p class="muted">
            Calls due {days === 1 ? "today" : `in the ${days} days up to today`}, in clinic time ({zone}).
            {overview.truncated && " The clinic had more calls than one overview reads; these figures cover the first of them."}
          </p>
          <div class="cards">
            <Figure label="Calls" value={String(overview.total)} />
            <Figure label="Answer rate" value={percent(overview.answerRate)} note={`${overview.answered} of ${overview.finished} finished calls answered`} />
            <Figure label="Average attempts" value={overview.averageAttempts === null ? "—" : overview.averageAttempts.toFixed(1)} note="per finished call" />
            <Figure label="Failed" value={String(overview.failedTotal)} />
            {typeof overview.textsSent === "number" && <Figure label="Texts sent" value={String(overview.textsSent)} note="after the phone went unanswered" />}
            {typeof overview.reachedByText === "number" && (
              <Figure label="Reached by text" value={String(overview.reachedByText)} note="owners who replied to a text after the phone failed" />
            )}
          </div>
          <div class="columns">
            <section class="panel" aria-labelledby="by-status">
              <h2 id="by-status">By status</h2>
              <table class="bars">
                <tbody>
                  {STATUSES.map((status) => (
                    <tr key={status}>
                      <th scope="row">{STATUS[status]}</th>
                      <td>{overview.byStatus[status]}</td>
                      <td class="bar-cell" aria-hidden="true">
                        <span class={`bar badge-${status}`} style={{ width: `${(100 * overview.byStatus[status]) / largest}%` }} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section class="panel" aria-labelledby="by-outcome">
              <h2 id="by-outcome">How finished calls ended</h2>
              {Object.keys(overview.byOutcome).length === 0 ? (
                <p class="muted">No call has finished in this period.</p>
              ) : (
                <table class="bars">
                  <tbody>
                    {/** @type {CallOutcome[]} */ (Object.keys(OUTCOME))
                      .filter((outcome) => overview.byOutcome[outcome])
                      .map((outcome) => (
                        <tr key={outcome}>
                          <th scope="row">{OUTCOME[outcome]}</th>
                          <td>{overview.byOutcome[outcome]}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <section class="panel" aria-labelledby="failed-title">
            <h2 id="failed-title">Failed calls</h2>
            {overview.failed.length === 0 ? (
              <p class="muted">No call failed in this period.</p>
            ) : (
              <table class="calls">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Pet and owner</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.failed.map((call) => (
                    <tr key={call.callId}>
                      <td data-label="When">{shortWhen(call.scheduledFor, zone)}</td>
                      <td data-label="Pet and owner">
                        <a href={`/calls/${encodeURIComponent(call.callId)}`}>
                          {call.petName} · {call.ownerName}
                        </a>
                      </td>
                      <td data-label="Outcome">{outcomeText(call.outcome) || "—"}</td>
                      <td data-label="Attempts">
                        {call.attempt} of {call.maxAttempts}
                      </td>
                      <td data-label="Why" class="summary">
                        {call.statusReason || ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {overview.failedTotal > overview.failed.length && (
              <p class="muted">
                The {overview.failed.length} latest of {overview.failedTotal}; <a href="/calls?status=failed">see them all</a>.
              </p>
            )}
          </section>
        </>
      )}
      {rates.data && <AnswerRatesMap rates={rates.data} />}
      {rates.failure && !rates.data && (
        <section class="panel" aria-labelledby="answer-rates-title" id="answer-rates">
          <h2 id="answer-rates-title">When owners answer</h2>
          <Notice kind="error">{failureText(rates.failure)}</Notice>
        </section>
      )}
    </section>
  );
}

/** @param {{label: string, value: string, note?: string}} props */
function Figure({ label, value, note }) {
  return (
    <div class="card">
      <div class="card-value">{value}</div>
      <div class="card-label">{label}</div>
      {note && <div class="card-note">{note}</div>}
    </div>
  );
}
