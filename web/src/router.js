// Which page is open: the address bar's path and query, so every page (a call, a filtered list) has its own link.
import { useEffect, useState } from "preact/hooks";

const CHANGED = "dcs:navigate";

/** @typedef {{path: string, query: URLSearchParams}} Location */

/** @returns {Location} */
const here = () => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/**
 * Opens `url` (a path with an optional query) in the app without reloading the page.
 * @param {string} url
 * @param {{replace?: boolean}} [options] replace: don't add a history entry (filters, redirects)
 */
export function navigate(url, { replace = false } = {}) {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  dispatchEvent(new Event(CHANGED));
}

/** @returns {Location} the current location, re-rendering on every change */
export function useLocation() {
  const [current, setCurrent] = useState(here);
  useEffect(() => {
    const update = () => setCurrent(here());
    addEventListener("popstate", update);
    addEventListener(CHANGED, update);
    return () => {
      removeEventListener("popstate", update);
      removeEventListener(CHANGED, update);
    };
  }, []);
  return current;
}

/**
 * A click on an app link: opened in place, unless the user asked for a new tab or window.
 * @param {MouseEvent} event
 */
export function followLink(event) {
  const anchor = /** @type {HTMLElement} */ (event.target).closest("a");
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || anchor.target) return;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
