// The clinic dashboard's entry: read config.json, give the shared modules (extension/lib) the browser's storage and
// the user's preferences (its defaults: the configuration), then render the frame (app.jsx). The signed-in session
// lives in sessionStorage: it ends with the tab, never outliving it on a shared front-desk machine.
import { render } from "preact";
import { usePlatform } from "../../extension/lib/platform.js";
import { App } from "./app.jsx";
import "./styles.css";
/** @import { Preferences } from "../../extension/lib/preferences.js" */
/** @import { DashboardConfig } from "./types.js" */

const PREFIX = "dcs.";

/**
 * @param {DashboardConfig} config
 * @returns {Preferences}
 */
function preferencesOf(config) {
  return {
    apiBase: config.apiBase.replace(/\/+$/, ""),
    idexxBase: config.idexxBase || "https://us.idexxneo.com",
    dashboardUrl: location.origin,
    signInMethod: config.cognito.clientId ? "cognito" : "local",
    cognito: {
      region: config.cognito.region,
      userPoolId: config.cognito.userPoolId || "",
      clientId: config.cognito.clientId,
      endpoint: config.cognito.endpoint || "",
    },
  };
}

async function start() {
  const root = /** @type {HTMLElement} */ (document.getElementById("app"));
  /** @type {DashboardConfig} */
  let config;
  try {
    config = await fetch("/config.json", { cache: "no-store" }).then((response) => response.json());
  } catch {
    root.textContent = "The dashboard's configuration (config.json) could not be read. Reload the page.";
    return;
  }
  // Earlier versions kept the session (with a 30-day refresh token) in localStorage.
  localStorage.removeItem(`${PREFIX}session`);
  /**
   * @param {Storage} storage
   * @param {string} key
   */
  const read = (storage, key) => {
    const text = storage.getItem(PREFIX + key);
    return text === null ? undefined : JSON.parse(text);
  };
  usePlatform({
    get: async (key) => read(localStorage, key),
    set: async (key, value) => localStorage.setItem(PREFIX + key, JSON.stringify(value)),
    remove: async (key) => localStorage.removeItem(PREFIX + key),
    session: {
      get: async () => read(sessionStorage, "session"),
      set: async (value) => sessionStorage.setItem(`${PREFIX}session`, JSON.stringify(value)),
      remove: async () => sessionStorage.removeItem(`${PREFIX}session`),
    },
    defaults: async () => preferencesOf(config),
  });
  render(<App config={config} />, root);
}

start();
