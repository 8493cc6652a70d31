// Where the extension talks to: the scheduling API, IDEXX Neo and the sign-in service. Defaults come from
// defaults.json (stamped by `make extension` for a deployment); what the user saves in the options page wins.
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/;

let defaults = null; // defaults.json is part of the package: read once per service-worker life

export function defaultSettings() {
  defaults ||= fetch(chrome.runtime.getURL("defaults.json")).then((response) => response.json());
  return defaults;
}

export async function loadSettings() {
  const packaged = await defaultSettings();
  const { settings = {} } = await chrome.storage.local.get("settings");
  return {
    ...packaged,
    ...settings,
    cognito: { ...packaged.cognito, ...(settings.cognito || {}) },
  };
}

function origin(value, label) {
  const text = String(value || "").trim().replace(/\/+$/, "");
  if (!text) return "";
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new SettingsError(label, `${label} must be a full address, such as https://api.example.com`);
  }
  if (url.protocol !== "https:" && !LOOPBACK.test(url.origin)) {
    throw new SettingsError(label, `${label} must use https (plain http is only allowed for 127.0.0.1 and localhost)`);
  }
  return text;
}

export class SettingsError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

export async function saveSettings(input) {
  const settings = {
    apiBase: origin(input.apiBase, "API address"),
    idexxBase: origin(input.idexxBase, "IDEXX Neo address") || "https://us.idexxneo.com",
    signInMethod: input.signInMethod === "local" ? "local" : "cognito",
    cognito: {
      region: String(input.cognito?.region || "").trim(),
      clientId: String(input.cognito?.clientId || "").trim(),
      endpoint: origin(input.cognito?.endpoint, "Sign-in endpoint"),
    },
  };
  if (settings.cognito.region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(settings.cognito.region)) {
    throw new SettingsError("region", "The AWS region looks wrong (for example: us-east-1)");
  }
  await chrome.storage.local.set({ settings });
  return settings;
}
