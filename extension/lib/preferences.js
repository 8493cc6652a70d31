// Where the extension talks to: the scheduling API, IDEXX Neo and the sign-in service. Defaults come from
// defaults.json (stamped by `make extension` for a deployment); what the user saves in the options page wins.
// The dashboard shares this module: its defaults are its config.json (lib/platform.js).
import { platform } from "./platform.js";
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/;
const KEY = "preferences";
const LEGACY_KEY = "settings";

/**
 * @typedef {object} CognitoPreferences
 * @property {string} region AWS region of the user pool; "" until set
 * @property {string} userPoolId the user pool (e.g. us-east-1_AbCdEf123): SRP sign-in hashes the password with it
 * @property {string} clientId the user pool's app client (no secret)
 * @property {string} endpoint a Cognito-compatible endpoint instead of AWS's (the tests use moto's); "" for AWS
 */

/**
 * @typedef {object} Preferences
 * @property {string} apiBase the scheduling API's address, no trailing slash; "" until set
 * @property {string} idexxBase
 * @property {"cognito" | "local"} signInMethod "local": tokens of `make dev`'s local stack
 * @property {CognitoPreferences} cognito
 * @property {string} dashboardUrl the clinic dashboard's address ("View call" opens the call there); "" for the
 *   extension's own call page
 */

/**
 * What the options page asks to save, as typed: savePreferences checks and trims it.
 * @typedef {object} PreferencesInput
 * @property {string} [apiBase]
 * @property {string} [idexxBase]
 * @property {string} [dashboardUrl]
 * @property {string} [signInMethod]
 * @property {Partial<CognitoPreferences>} [cognito]
 */

/** @type {Promise<Preferences> | null} */
let defaults = null; // defaults.json is part of the package: read once per service-worker life

/** @returns {Promise<Preferences>} */
export function defaultPreferences() {
  defaults ||= platform().defaults();
  return defaults;
}

/** @returns {Promise<Preferences>} */
export async function loadPreferences() {
  const packaged = await defaultPreferences();
  // As savePreferences stored them; a browser that saved them before they were called preferences has them under
  // the older key, read until the user saves again.
  const stored = (await platform().get(KEY)) ?? (await platform().get(LEGACY_KEY));
  const preferences = /** @type {Partial<Preferences> | undefined} */ (stored) || {};
  return {
    ...packaged,
    ...preferences,
    cognito: { ...packaged.cognito, ...(preferences.cognito || {}) },
  };
}

/**
 * @param {string | undefined} value
 * @param {string} label the field's name, as the options page shows it
 * @returns {string}
 */
function origin(value, label) {
  const text = String(value || "").trim().replace(/\/+$/, "");
  if (!text) return "";
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new PreferenceError(label, `${label} must be a full address, such as https://api.example.com`);
  }
  if (url.protocol !== "https:" && !LOOPBACK.test(url.origin)) {
    throw new PreferenceError(label, `${label} must use https (plain http is only allowed for 127.0.0.1 and localhost)`);
  }
  return text;
}

/** A preference that cannot be saved; `field` names the field the options page marks. */
export class PreferenceError extends Error {
  /**
   * @param {string} field
   * @param {string} message
   */
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/**
 * @param {PreferencesInput} input
 * @returns {Promise<Preferences>}
 */
export async function savePreferences(input) {
  /** @type {Preferences} */
  const preferences = {
    apiBase: origin(input.apiBase, "API address"),
    idexxBase: origin(input.idexxBase, "IDEXX Neo address") || "https://us.idexxneo.com",
    dashboardUrl: origin(input.dashboardUrl, "Dashboard address"),
    signInMethod: input.signInMethod === "local" ? "local" : "cognito",
    cognito: {
      region: String(input.cognito?.region || "").trim(),
      userPoolId: String(input.cognito?.userPoolId || "").trim(),
      clientId: String(input.cognito?.clientId || "").trim(),
      endpoint: origin(input.cognito?.endpoint, "Sign-in endpoint"),
    },
  };
  if (preferences.cognito.region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(preferences.cognito.region)) {
    throw new PreferenceError("region", "The AWS region looks wrong (for example: us-east-1)");
  }
  if (preferences.cognito.userPoolId && !/^[a-z]{2}(-[a-z]+)+-\d_\w+$/.test(preferences.cognito.userPoolId)) {
    throw new PreferenceError("userPoolId", "The user pool id looks wrong (for example: us-east-1_AbCdEf123)");
  }
  await platform().set(KEY, preferences);
  await platform().remove(LEGACY_KEY);
  return preferences;
}
