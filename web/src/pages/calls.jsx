// The clinic's calls: a list in clinic time, each with a live countdown to its next dial, filtered by status and
// dates (kept in the address, so a filtered list can be shared and survives a reload), paged through with "Show
// more", refreshed every 30 s while the tab is shown, in place: filters, loaded pages and scroll stay.
import { useRef, useState } from "preact/hooks";
import { countdown, dayEdge, ownerClock, shortWhen } from "../../../extension/lib/time.js";
import { STATUS, STATUSES, outcomeText } from "../../../extension/lib/words.js";
import { api, exportCalls, failureText } from "../api.js";
import { useClinic } from "../clinic.js";
import { LanguageTag, defaultLanguageOf } from "../components/language-tag.jsx";
import { Notice } from "../components/notice.jsx";
import { StatusBadge } from "../components/status-badge.jsx";
import { TextBadge } from "../components/text-badge.jsx";
import { useLoad, useNow } from "../hooks.js";
import { navigate, useLocation } from "../router.js";
/** @import { ApiResult, CallStatus } from "../../../extension/lib/api.js" */
/** @import { CallPage, FullCall } from "../types.js" */

export const PAGE_SIZE = 100;
export const REFRESH_SECONDS = 30;

/**
 * @typedef {object} Filters
 * @property {CallStatus[]} statuses
 * @property {string} from a clinic date, "" for none
 * @property {string} to
 */

/**
 * @param {URLSearchParams} query
 * @returns {Filters}
 */
function filtersOf(query) {
  const statuses = (query.get("status") || "").split(",").filter((s) => STATUSES.includes(/** @type {CallStatus} */ (s)));
  return { statuses: /** @type {CallStatus[]} */ (statuses), from: query.get("from") || "", to: query.get("to") || "" };
}

/** @param {Filters} filters */
function addressOf(filters) {
  const query = new URLSearchParams();
  if (filters.statuses.length) query.set("status", filters.statuses.join(","));
  if (filters.from) query.set("from", filters.from);
  if (filters.to) query.set("to", filters.to);
  const text = query.toString();
  return text ? `/calls?${text}` : "/calls";
}

/**
 * GET /calls for the filters, from `nextToken`.
 * @param {Filters} filters
 * @param {string} zone
 * @param {string | null} nextToken
 */
function listPath(filters, zone, nextToken) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.statuses.length) query.set("status", filters.statuses.join(","));
  const from = filters.from && dayEdge(filters.from, zone, "start");
  const to = filters.to && dayEdge(filters.to, zone, "end");
  if (from) query.set("from", from);
  if (to) query.set("to", to);
  if (nextToken) query.set("nextToken", nextToken);
  return `/calls?${query}`;
}

export function CallsPage() {
  const { settings, session } = useClinic();
  const isAdmin = session.isAdmin;
  const zone = settings.timezone;
  const { query } = useLocation();
  const filters = filtersOf(query);
  const key = addressOf(filters);
  // How many pages are shown, for the filters they were read for: a refresh reads as many again.
  const shown = useRef({ key, pages: 1 });
  if (shown.current.key !== key) shown.current = { key, pages: 1 };
  const [moreProblem, setMoreProblem] = useState({ key: "", text: "" }); // "Show more" failed, for these filters
  const [busy, setBusy] = useState(false);

  /** @type {() => Promise<ApiResult<{calls: FullCall[], nextToken: string | null}>>} */
  const readShownPages = async () => {
    /** @type {FullCall[]} */
    const calls = [];
    /** @type {string | null} */
    let token = null;
    for (let page = 0; page < shown.current.pages; page += 1) {
      /** @type {ApiResult<CallPage>} */
      const result = await api("GET", listPath(filters, zone, token));
      if (!result.ok) return result;
      calls.push(...result.data.items);
      token = result.data.nextToken;
      if (!token) break;
    }
    return { ok: true, status: 200, data: { calls, nextToken: token } };
  };
  const list = useLoad(readShownPages, [key, zone], { refreshSeconds: REFRESH_SECONDS });
  const calls = list.data?.calls ?? null;
  const nextToken = list.data?.nextToken ?? null;
  const problem = list.failure ? failureText(list.failure) : moreProblem.key === key ? moreProblem.text : "";

  const more = async () => {
    if (!list.data || !nextToken) return;
    const asked = shown.current;
    setBusy(true);
    /** @type {ApiResult<CallPage>} */
    const result = await api("GET", listPath(filters, zone, nextToken));
    setBusy(false);
    if (asked !== shown.current) return; // the filters changed meanwhile
    if (!result.ok) {
      setMoreProblem({ key, text: failureText(result) });
      return;
    }
    setMoreProblem({ key: "", text: "" });
    shown.current.pages += 1;
    list.setData({ calls: [...list.data.calls, ...result.data.items], nextToken: result.data.nextToken });
  };

  /** @param {Partial<Filters>} change */
  const filter = (change) => navigate(addressOf({ ...filters, ...change }), { replace: true });

  return (
    <section aria-labelledby="calls-title">
      <div class="page-head">
        <h1 id="calls-title">Calls</h1>
        <p class="muted">Times in clinic time ({zone}). Updated every {REFRESH_SECONDS} s while this tab is open.</p>
      </div>
      <form class="filters" aria-label="Filter calls" onSubmit={(event) => event.preventDefault()}>
        <fieldset>
          <legend>Status</legend>
          <div class="checks">
            {STATUSES.map((status) => (
              <label key={status} class="check">
                <input
                  type="checkbox"
                  name="status"
                  value={status}
                  checked={filters.statuses.includes(status)}
                  onChange={(event) => {
                    const on = /** @type {HTMLInputElement} */ (event.currentTarget).checked;
                    filter({ statuses: STATUSES.filter((s) => (s === status ? on : filters.statuses.includes(s))) });
                  }}
                />
                {STATUS[status]}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="dates">
          <label>
            From
            <input type="date" name="from" value={filters.from} onChange={(event) => filter({ from: /** @type {HTMLInputElement} */ (event.currentTarget).value })} />
          </label>
          <label>
            To
            <input type="date" name="to" value={filters.to} onChange={(event) => filter({ to: /** @type {HTMLInputElement} */ (event.currentTarget).value })} />
          </label>
          {isAdmin && <ExportButton filters={filters} zone={zone} />}
          {(filters.statuses.length > 0 || filters.from || filters.to) && (
            <button type="button" class="secondary" onClick={() => navigate("/calls", { replace: true })}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      {problem && <Notice kind="error">{problem}</Notice>}
      {calls === null && !problem && <p class="loading">Loading calls…</p>}
      {calls && calls.length === 0 && <p class="empty">No calls match these filters.</p>}
      {calls && calls.length > 0 && <CallTable calls={calls} zone={zone} defaultLanguage={defaultLanguageOf(settings)} />}
      {calls && (
        <div class="list-foot">
          <span id="shown" aria-live="polite">
            {calls.length} {calls.length === 1 ? "call" : "calls"} shown{nextToken ? "; there are more" : ""}
          </span>
          {nextToken && (
            <button type="button" onClick={more} disabled={busy}>
              {busy ? "Loading…" : `Show ${PAGE_SIZE} more`}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/**
 * Downloads the calls of the chosen dates as a spreadsheet (CSV; the status filter does not apply: every call of the
 * dates is in it).
 * @param {{filters: Filters, zone: string}} props
 */
function ExportButton({ filters, zone }) {
  const [state, setState] = useState({ busy: false, text: "" });
  const download = async () => {
    setState({ busy: true, text: "" });
    const query = new URLSearchParams();
    const from = filters.from && dayEdge(filters.from, zone, "start");
    const to = filters.to && dayEdge(filters.to, zone, "end");
    if (from) query.set("from", from);
    if (to) query.set("to", to);
    const result = await exportCalls(query.toString());
    if (!result.ok) {
      setState({ busy: false, text: result.text });
      return;
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(result.csv);
    link.download = `calls${filters.from ? `-from-${filters.from}` : ""}${filters.to ? `-to-${filters.to}` : ""}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
    const note = result.truncated ? "The first 10,000 calls were exported: choose fewer dates for the rest." : "";
    setState({ busy: false, text: note });
  };
  return (
    <>
      <button type="button" class="secondary" id="export" onClick={download} disabled={state.busy}>
        {state.busy ? "Exporting…" : "Export to a spreadsheet (CSV)"}
      </button>
      {state.text && (
        <span role="status" id="export-note">
          {state.text}
        </span>
      )}
    </>
  );
}

/** @param {{calls: FullCall[], zone: string, defaultLanguage: string}} props */
function CallTable({ calls, zone, defaultLanguage }) {
  const now = useNow();
  return (
    <table class="calls">
      <caption class="visually-hidden">The clinic's calls, earliest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Next dial</th>
          <th scope="col">Pet and owner</th>
          <th scope="col">Status</th>
          <th scope="col">Attempt</th>
          <th scope="col">Next retry</th>
          <th scope="col">Outcome</th>
          <th scope="col">Summary</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((call) => (
          <CallRow key={call.callId} call={call} zone={zone} now={now} defaultLanguage={defaultLanguage} />
        ))}
      </tbody>
    </table>
  );
}

/** @param {{call: FullCall, zone: string, now: number, defaultLanguage: string}} props */
function CallRow({ call, zone, now, defaultLanguage }) {
  const waiting = call.status === "scheduled";
  return (
    <tr data-call={call.callId}>
      <td data-label="When">
        {shortWhen(call.scheduledFor, zone)}
        {call.ownerTimezone && <span class="muted owner-clock"> · owner's time {ownerClock(call.scheduledFor, call.ownerTimezone)}</span>}
      </td>
      <td data-label="Next dial" class="countdown">
        {waiting ? countdown(call.scheduledFor, now) : call.status === "initiated" || call.status === "in_progress" ? "now" : "—"}
      </td>
      <td data-label="Pet and owner">
        <a href={`/calls/${encodeURIComponent(call.callId)}`}>
          {call.petName} · {call.ownerName}
        </a>
        <LanguageTag language={call.language} defaultLanguage={defaultLanguage} />
      </td>
      <td data-label="Status">
        <span class="badges">
          <StatusBadge status={call.status} />
          <TextBadge text={call.text} />
        </span>
      </td>
      <td data-label="Attempt">
        {call.attempt} of {call.maxAttempts}
      </td>
      <td data-label="Next retry">{call.nextRetryAt && waiting ? shortWhen(call.nextRetryAt, zone) : "—"}</td>
      <td data-label="Outcome">{outcomeText(call.outcome) || "—"}</td>
      <td data-label="Summary" class="summary">
        {call.text?.analysis?.summary || call.analysis?.summary || call.statusReason || ""}
      </td>
    </tr>
  );
}
