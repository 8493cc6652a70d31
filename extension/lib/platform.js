// Where the shared modules (preferences, session, api) keep what they keep and find their packaged defaults. The
// extension keeps preferences in chrome.storage.local and the signed-in session in chrome.storage.session (memory
// only: gone when the browser closes; its service worker reads it too), and reads defaults.json; the dashboard (web/)
// installs its own with usePlatform (localStorage, sessionStorage and its config.json) before anything else runs.
/** @import { Preferences } from "./preferences.js" */

/**
 * The signed-in session's one place: never where it outlives the browser.
 * @typedef {object} SessionStore
 * @property {() => Promise<unknown>} get
 * @property {(value: unknown) => Promise<void>} set
 * @property {() => Promise<void>} remove
 */

/**
 * @typedef {object} Platform
 * @property {(key: string) => Promise<unknown>} get preferences and the like, kept across restarts
 * @property {(key: string, value: unknown) => Promise<void>} set
 * @property {(key: string) => Promise<void>} remove
 * @property {SessionStore} session
 * @property {() => Promise<Preferences>} defaults the packaged preferences, before the user's own
 */

/** @type {Platform | null} */
let installed = null;

/** @type {Promise<void> | null} */
let keptSessionRemoved = null;

/**
 * Earlier versions kept the session (with a 30-day refresh token) in chrome.storage.local: it is removed once per
 * load, before the session is first read.
 */
function removeKeptSession() {
  keptSessionRemoved ||= chrome.storage.local.remove("session");
  return keptSessionRemoved;
}

/** @type {Platform} */
const extension = {
  get: async (key) => (await chrome.storage.local.get(key))[key],
  set: (key, value) => chrome.storage.local.set({ [key]: value }),
  remove: (key) => chrome.storage.local.remove(key),
  session: {
    get: async () => {
      await removeKeptSession();
      return (await chrome.storage.session.get("session")).session;
    },
    set: (value) => chrome.storage.session.set({ session: value }),
    remove: () => chrome.storage.session.remove("session"),
  },
  defaults: () => fetch(chrome.runtime.getURL("defaults.json")).then((response) => response.json()),
};

/** @param {Platform} chosen */
export function usePlatform(chosen) {
  installed = chosen;
}

/** @returns {Platform} */
export function platform() {
  return installed || extension;
}
