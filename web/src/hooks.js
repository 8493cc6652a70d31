// The hooks pages share: reading what a page shows (useLoad), refreshing it while the tab is shown, and a clock
// that ticks for countdowns.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
/** @import { ApiFailure, ApiResult } from "../../extension/lib/api.js" */

/**
 * What a page has read.
 * @template T
 * @typedef {object} Loaded
 * @property {T | null} data the last answer; kept while a later read is under way, and when it fails
 * @property {ApiFailure | null} failure why the last read gave nothing (null once one succeeds)
 * @property {boolean} loading a read is under way
 * @property {() => Promise<void>} reload read again now
 * @property {(data: T) => void} setData show what a change answered (a read already under way is dropped)
 */

/**
 * Reads what a page shows: at once, again when `keys` change (what was read for the old keys is dropped, and an
 * answer for them that comes late is ignored) and every `refreshSeconds` while the tab is shown.
 * @template T
 * @param {() => Promise<ApiResult<T>>} read
 * @param {unknown[]} keys what `read` depends on
 * @param {{refreshSeconds?: number, refreshWhile?: (data: T | null) => boolean}} [options] refreshWhile: refresh
 *   only while it says so (a call that can no longer change is not read again)
 * @returns {Loaded<T>}
 */
export function useLoad(read, keys, { refreshSeconds = 0, refreshWhile } = {}) {
  const [state, setState] = useState(
    /** @type {{data: T | null, failure: ApiFailure | null, loading: boolean}} */ ({ data: null, failure: null, loading: true }),
  );
  const latest = useRef(read);
  latest.current = read;
  const generation = useRef(0); // bumped by new keys and by setData: answers read before are stale

  const reload = useCallback(async () => {
    const mine = generation.current;
    setState((shown) => (shown.loading ? shown : { ...shown, loading: true }));
    const result = await latest.current();
    if (mine !== generation.current) return;
    if (result.ok) setState({ data: result.data, failure: null, loading: false });
    else setState((shown) => ({ data: shown.data, failure: result, loading: false }));
  }, []);

  const setData = useCallback((/** @type {T} */ data) => {
    generation.current += 1;
    setState({ data, failure: null, loading: false });
  }, []);

  useEffect(() => {
    generation.current += 1;
    setState({ data: null, failure: null, loading: true });
    reload();
  }, keys);

  const refreshing = refreshSeconds > 0 && (!refreshWhile || refreshWhile(state.data));
  useRefreshWhileVisible(reload, refreshSeconds || 1, refreshing);
  return { ...state, reload, setData };
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
