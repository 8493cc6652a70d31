// Preferences and sign-in. Tokens live in chrome.storage.session (through the service worker), only while the
// browser runs; passwords are never stored and never sent (SRP).
import { ask } from "./lib/messages.js";
/** @import { AskError } from "./lib/messages.js" */
/** @import { Challenge, ChallengeName, SignInStep } from "./lib/session.js" */
/** @import { Preferences } from "./lib/preferences.js" */

/**
 * An element of options.html.
 * @param {string} id
 */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/**
 * A form control of options.html, read and set by value: an input, the token's textarea or the role's select.
 * @param {string} id
 */
const control = (id) =>
  /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ (document.getElementById(id));
/**
 * A button of options.html.
 * @param {string} id
 */
const button = (id) => /** @type {HTMLButtonElement} */ (document.getElementById(id));
const methodRadios = () =>
  /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name="signInMethod"]'));

/** @type {Preferences | null} */
let preferences = null;
/** @type {Challenge | null} */
let pendingChallenge = null;

/** @type {Record<ChallengeName, {text: string, label: string, type: string}>} */
const CHALLENGES = {
  NEW_PASSWORD_REQUIRED: {
    text: "This is your first sign-in: choose your own password (at least 12 characters with upper and lower case letters, a digit and a symbol).",
    label: "New password",
    type: "password",
  },
  MFA_SETUP: {
    text: "Your clinic requires an authenticator app: set it up now (once; you will need the phone at each sign-in).",
    label: "6-digit code from the app",
    type: "text",
  },
  SOFTWARE_TOKEN_MFA: { text: "Enter the 6-digit code from your authenticator app.", label: "Code", type: "text" },
};

/** The preferences on the page: loaded before any form shows, so there whenever one is used. */
function current() {
  if (!preferences) throw new Error("The preferences are not loaded yet.");
  return preferences;
}

/** @param {string} message "" hides the error */
function accountError(message) {
  $("account-error").textContent = message || "";
  $("account-error").hidden = !message;
}

async function renderAccount() {
  const session = await ask("session.describe");
  const local = current().signInMethod === "local";
  $("signed-in").hidden = !session.signedIn;
  $("cognito-sign-in").hidden = session.signedIn || local || Boolean(pendingChallenge);
  $("challenge").hidden = session.signedIn || !pendingChallenge;
  $("local-sign-in").hidden = session.signedIn || !local;
  $("account-status").textContent = session.signedIn
    ? `Signed in as ${session.username}, ${session.isAdmin ? "admin" : "staff"} of clinic ${session.clinicId}.`
    : "Not signed in.";
  document.body.dataset.account = session.signedIn ? "signed-in" : "signed-out";
}

function fillPreferences() {
  const shown = current();
  control("apiBase").value = shown.apiBase || "";
  control("idexxBase").value = shown.idexxBase || "";
  control("dashboardUrl").value = shown.dashboardUrl || "";
  for (const radio of methodRadios()) {
    radio.checked = radio.value === shown.signInMethod;
  }
  control("region").value = shown.cognito.region || "";
  control("clientId").value = shown.cognito.clientId || "";
  control("userPoolId").value = shown.cognito.userPoolId || "";
  control("endpoint").value = shown.cognito.endpoint || "";
  $("cognito-preferences").hidden = shown.signInMethod === "local";
}

/** @param {SubmitEvent} event */
async function save(event) {
  event.preventDefault();
  for (const hint of document.querySelectorAll("#preferences .hint")) hint.textContent = "";
  const method = [...methodRadios()].find((radio) => radio.checked);
  try {
    preferences = await ask("preferences.save", {
      preferences: {
        apiBase: control("apiBase").value,
        idexxBase: control("idexxBase").value,
        dashboardUrl: control("dashboardUrl").value,
        signInMethod: method?.value,
        cognito: {
          region: control("region").value,
          clientId: control("clientId").value,
          userPoolId: control("userPoolId").value,
          endpoint: control("endpoint").value,
        },
      },
    });
    fillPreferences();
    $("preferences-status").textContent = "Saved.";
    await renderAccount();
  } catch (error) {
    const refused = /** @type {AskError} */ (error);
    const hint = document.querySelector(`#preferences .hint[data-for="${refused.field}"]`);
    if (hint) {
      hint.className = "hint error";
      hint.textContent = refused.message;
    }
    $("preferences-status").textContent = "Not saved: fix the highlighted field.";
  }
}

/**
 * Runs a sign-in, sign-out or token action with its button disabled, and shows its error.
 * @param {HTMLButtonElement} pressed
 * @param {() => Promise<unknown>} action
 */
async function withAccountAction(pressed, action) {
  accountError("");
  pressed.disabled = true;
  try {
    await action();
  } catch (error) {
    accountError(/** @type {Error} */ (error).message);
  } finally {
    pressed.disabled = false;
    await renderAccount();
  }
}

/** @param {SignInStep} result */
function afterSignIn(result) {
  pendingChallenge = result.challenge ? result : null;
  if (pendingChallenge) {
    const challenge = CHALLENGES[pendingChallenge.challenge];
    $("challenge-text").textContent = challenge.text;
    $("answer-label").textContent = challenge.label;
    /** @type {HTMLInputElement} */ (control("answer")).type = challenge.type;
    control("answer").value = "";
    $("mfa-setup").hidden = pendingChallenge.challenge !== "MFA_SETUP";
    $("mfa-secret").textContent = pendingChallenge.secretCode || "";
    $("mfa-uri").textContent = pendingChallenge.setupUri || "";
  }
  control("password").value = "";
}

$("preferences").addEventListener("submit", save);
for (const radio of methodRadios()) {
  radio.addEventListener("change", () => {
    $("cognito-preferences").hidden = radio.value === "local" && radio.checked;
  });
}
$("cognito-sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  withAccountAction(button("sign-in"), async () => {
    const credentials = { username: control("username").value.trim(), password: control("password").value };
    afterSignIn(await ask("session.signIn", credentials));
  });
});
$("challenge").addEventListener("submit", (event) => {
  event.preventDefault();
  withAccountAction(button("challenge-submit"), async () => {
    const challenge = /** @type {Challenge} */ (pendingChallenge); // the form shows only while there is one
    afterSignIn(await ask("session.completeChallenge", { ...challenge, answer: control("answer").value }));
  });
});
$("sign-out").addEventListener("click", () => withAccountAction(button("sign-out"), () => ask("session.signOut")));
$("use-token").addEventListener("click", () =>
  withAccountAction(button("use-token"), () => ask("session.useToken", { token: control("token").value })),
);
$("fetch-token").addEventListener("click", () =>
  withAccountAction(button("fetch-token"), () =>
    ask("session.fetchLocalToken", {
      clinicId: control("local-clinic").value.trim(),
      role: control("local-role").value,
    }),
  ),
);

(async () => {
  preferences = await ask("preferences.get");
  fillPreferences();
  await renderAccount();
})();
