// The clinic dashboard's entry: read config.json, give the shared modules (extension/lib) the browser's storage and
// the user's preferences (its defaults: the configuration), then render the frame (app.jsx).
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
    cognito: { region: config.cognito.region, clientId: config.cognito.clientId, endpoint: config.cognito.endpoint || "" },
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
  usePlatform({
    get: async (key) => {
      const text = localStorage.getItem(PREFIX + key);
      return text === null ? undefined : JSON.parse(text);
    },
    set: async (key, value) => localStorage.setItem(PREFIX + key, JSON.stringify(value)),
    remove: async (key) => localStorage.removeItem(PREFIX + key),
    defaults: async () => preferencesOf(config),
  });
  render(<App config={config} />, root);
}

start();
