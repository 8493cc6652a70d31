// Where the shared modules (preferences, session, api) keep what they keep and find their packaged defaults. The
// extension's is chrome.storage.local and defaults.json; the dashboard (web/) installs its own with usePlatform
// (localStorage and its config.json) before anything else runs.
/** @import { Preferences } from "./preferences.js" */

/**
 * @typedef {object} Platform
 * @property {(key: string) => Promise<unknown>} get
 * @property {(key: string, value: unknown) => Promise<void>} set
 * @property {(key: string) => Promise<void>} remove
 * @property {() => Promise<Preferences>} defaults the packaged preferences, before the user's own
 */

/** @type {Platform | null} */
let installed = null;

/** @type {Platform} */
const extension = {
  get: async (key) => (await chrome.storage.local.get(key))[key],
  set: (key, value) => chrome.storage.local.set({ [key]: value }),
  remove: (key) => chrome.storage.local.remove(key),
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
