// Small pieces every page uses: notices, the status badge, a modal dialog, the ticking clock and the refresh timer.
import { useEffect, useRef, useState } from "preact/hooks";
import { STATUS } from "./words.js";
/** @import { ComponentChildren } from "preact" */
/** @import { CallStatus } from "../../extension/lib/api.js" */

/**
 * A message for the user: "error" is announced at once (role=alert), the others politely (role=status).
 * @param {{kind?: "error" | "info" | "success" | "warning", children: ComponentChildren, id?: string}} props
 */
export function Notice({ kind = "info", children, id }) {
  return (
    <div id={id} class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** @param {{status: CallStatus}} props */
export function StatusBadge({ status }) {
  return <span class={`badge badge-${status}`}>{STATUS[status] || status}</span>;
}

/**
 * A modal dialog (the browser's <dialog>: focus moves in and stays in, Escape closes it).
 * @param {{title: string, open: boolean, onClose: () => void, children: ComponentChildren, id?: string}} props
 */
export function Dialog({ title, open, onClose, children, id }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `${id || "dialog"}-title`;
  return (
    <dialog ref={ref} id={id} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

/** @type {Set<() => void>} */
const tickers = new Set();
let tickTimer = 0;

/**
 * Now, re-rendered every second while the page is shown (one timer for every countdown on the page).
 * @returns {number} ms since the epoch
 */
export function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    tickers.add(tick);
    if (!tickTimer) tickTimer = window.setInterval(() => tickers.forEach((each) => each()), 1000);
    return () => {
      tickers.delete(tick);
      if (!tickers.size) {
        clearInterval(tickTimer);
        tickTimer = 0;
      }
    };
  }, []);
  return now;
}

/**
 * Runs `refresh` every `seconds` while the tab is shown; a hidden tab makes no requests, and when it is shown
 * again after a longer pause the refresh comes at once.
 * @param {() => unknown} refresh
 * @param {number} seconds
 * @param {boolean} [enabled]
 */
export function useRefreshWhileVisible(refresh, seconds, enabled = true) {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!enabled) return undefined;
    let last = Date.now();
    const run = () => {
      last = Date.now();
      latest.current();
    };
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") run();
    }, seconds * 1000);
    const onVisible = () => {
      if (document.visibilityState === "visible" && Date.now() - last >= seconds * 1000) run();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [seconds, enabled]);
}

/**
 * A labelled form control with its hint and the API's message when it refused the value.
 * @param {{id: string, label: string, error?: string, hint?: string, children: ComponentChildren}} props
 */
export function Field({ id, label, error, hint, children }) {
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * aria-describedby for a control inside Field: its hint and error, when shown.
 * @param {string} id
 * @param {{hint?: unknown, error?: unknown}} shown which of the two are shown
 */
export function describedBy(id, { hint, error }) {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}
