// Settings and sign-in. Tokens live in chrome.storage.local (through the service worker); passwords never do.
import { ask } from "./lib/messages.js";

const $ = (id) => document.getElementById(id);
let settings = null;
let pendingChallenge = null;

const CHALLENGES = {
  NEW_PASSWORD_REQUIRED: {
    text: "This is your first sign-in: choose your own password (at least 12 characters with upper and lower case letters, a digit and a symbol).",
    label: "New password",
    type: "password",
  },
  SOFTWARE_TOKEN_MFA: { text: "Enter the 6-digit code from your authenticator app.", label: "Code", type: "text" },
};

function accountError(message) {
  $("account-error").textContent = message || "";
  $("account-error").hidden = !message;
}

async function renderAccount() {
  const session = await ask("session.describe");
  const local = settings.signInMethod === "local";
  $("signed-in").hidden = !session.signedIn;
  $("cognito-sign-in").hidden = session.signedIn || local || Boolean(pendingChallenge);
  $("challenge").hidden = session.signedIn || !pendingChallenge;
  $("local-sign-in").hidden = session.signedIn || !local;
  $("account-status").textContent = session.signedIn
    ? `Signed in as ${session.username}, ${session.isAdmin ? "admin" : "staff"} of clinic ${session.clinicId}.`
    : "Not signed in.";
  document.body.dataset.account = session.signedIn ? "signed-in" : "signed-out";
}

function fillSettings() {
  $("apiBase").value = settings.apiBase || "";
  $("idexxBase").value = settings.idexxBase || "";
  for (const radio of document.querySelectorAll('input[name="signInMethod"]')) {
    radio.checked = radio.value === settings.signInMethod;
  }
  $("region").value = settings.cognito.region || "";
  $("clientId").value = settings.cognito.clientId || "";
  $("endpoint").value = settings.cognito.endpoint || "";
  $("cognito-settings").hidden = settings.signInMethod === "local";
}

async function save(event) {
  event.preventDefault();
  for (const hint of document.querySelectorAll("#settings .hint")) hint.textContent = "";
  try {
    settings = await ask("settings.save", {
      settings: {
        apiBase: $("apiBase").value,
        idexxBase: $("idexxBase").value,
        signInMethod: document.querySelector('input[name="signInMethod"]:checked')?.value,
        cognito: { region: $("region").value, clientId: $("clientId").value, endpoint: $("endpoint").value },
      },
    });
    fillSettings();
    $("settings-status").textContent = "Saved.";
    await renderAccount();
  } catch (error) {
    const hint = document.querySelector(`#settings .hint[data-for="${error.field}"]`);
    if (hint) {
      hint.className = "hint error";
      hint.textContent = error.message;
    }
    $("settings-status").textContent = "Not saved: fix the highlighted field.";
  }
}

async function withAccountAction(button, action) {
  accountError("");
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    accountError(error.message);
  } finally {
    button.disabled = false;
    await renderAccount();
  }
}

function afterSignIn(result) {
  pendingChallenge = result.challenge ? result : null;
  if (pendingChallenge) {
    const challenge = CHALLENGES[result.challenge];
    $("challenge-text").textContent = challenge.text;
    $("answer-label").textContent = challenge.label;
    $("answer").type = challenge.type;
    $("answer").value = "";
  }
  $("password").value = "";
}

$("settings").addEventListener("submit", save);
for (const radio of document.querySelectorAll('input[name="signInMethod"]')) {
  radio.addEventListener("change", () => {
    $("cognito-settings").hidden = radio.value === "local" && radio.checked;
  });
}
$("cognito-sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  withAccountAction($("sign-in"), async () => {
    afterSignIn(await ask("session.signIn", { username: $("username").value.trim(), password: $("password").value }));
  });
});
$("challenge").addEventListener("submit", (event) => {
  event.preventDefault();
  withAccountAction($("challenge-submit"), async () => {
    afterSignIn(await ask("session.completeChallenge", { ...pendingChallenge, answer: $("answer").value }));
  });
});
$("sign-out").addEventListener("click", () => withAccountAction($("sign-out"), () => ask("session.signOut")));
$("use-token").addEventListener("click", () =>
  withAccountAction($("use-token"), () => ask("session.useToken", { token: $("token").value })),
);
$("fetch-token").addEventListener("click", () =>
  withAccountAction($("fetch-token"), () =>
    ask("session.fetchLocalToken", { clinicId: $("local-clinic").value.trim(), role: $("local-role").value }),
  ),
);

(async () => {
  settings = await ask("settings.get");
  fillSettings();
  await renderAccount();
})();
