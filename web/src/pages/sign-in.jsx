// Signing in: the clinic's Cognito users (the same as the extension's), or with `make dev`, a local token.
import { useState } from "preact/hooks";
import { loadPreferences } from "../../../extension/lib/preferences.js";
import { completeChallenge, fetchLocalToken, signIn, useLocalToken } from "../../../extension/lib/session.js";
import { Field } from "../components/field.jsx";
import { Notice } from "../components/notice.jsx";
/** @import { Challenge, SessionSummary, SignInStep } from "../../../extension/lib/session.js" */
/** @import { DashboardConfig } from "../types.js" */

/**
 * @param {{config: DashboardConfig, expired: boolean, onSignedIn: (session: Extract<SessionSummary, {signedIn: true}>) => void}} props
 */
export function SignInPage({ config, expired, onSignedIn }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState(/** @type {Challenge | null} */ (null));

  /** @param {() => Promise<SignInStep | SessionSummary>} attempt */
  const run = async (attempt) => {
    setBusy(true);
    setError("");
    try {
      const step = await attempt();
      if ("challenge" in step && step.challenge) setChallenge(step);
      else {
        const session = "session" in step ? step.session : /** @type {SessionSummary} */ (step);
        if (session.signedIn) onSignedIn(session);
      }
    } catch (problem) {
      setError(/** @type {Error} */ (problem).message);
    } finally {
      setBusy(false);
    }
  };

  /** @param {SubmitEvent} event */
  const form = (event) => {
    event.preventDefault();
    return new FormData(/** @type {HTMLFormElement} */ (event.currentTarget));
  };
  const text = (/** @type {FormData} */ data, /** @type {string} */ name) => String(data.get(name) || "");

  return (
    <main id="main" class="sign-in">
      <h1>
        <img src="/icon.png" alt="" width="28" height="28" /> Discharge calls
      </h1>
      <p class="lead">The clinic's follow-up calls: when each one is placed, how it went, and what needs you.</p>
      {expired && <Notice kind="warning">Your sign-in has expired. Sign in again to go on.</Notice>}
      {error && <Notice kind="error">{error}</Notice>}

      {config.cognito.clientId && !challenge && (
        <form
          class="panel"
          aria-labelledby="password-title"
          onSubmit={(event) => {
            const data = form(event);
            run(async () => signIn(await loadPreferences(), text(data, "username"), text(data, "password")));
          }}
        >
          <h2 id="password-title">Sign in with your clinic account</h2>
          <Field id="username" label="Email or username">
            <input id="username" name="username" autoComplete="username" required />
          </Field>
          <Field id="password" label="Password">
            <input id="password" name="password" type="password" autoComplete="current-password" required />
          </Field>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}

      {challenge && (
        <form
          class="panel"
          aria-labelledby="challenge-title"
          onSubmit={(event) => {
            const data = form(event);
            run(async () => completeChallenge(await loadPreferences(), { ...challenge, answer: text(data, "answer") }));
          }}
        >
          {challenge.challenge === "NEW_PASSWORD_REQUIRED" && (
            <>
              <h2 id="challenge-title">Choose your own password</h2>
              <Field id="answer" label="New password" hint="At least 12 characters, with upper and lower case letters, a digit and a symbol.">
                <input id="answer" name="answer" type="password" autoComplete="new-password" required aria-describedby="answer-hint" />
              </Field>
            </>
          )}
          {challenge.challenge === "MFA_SETUP" && (
            <>
              <h2 id="challenge-title">Set up your authenticator app</h2>
              <p>
                Your clinic requires an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, ...). Add an
                account in it with this setup key, then enter the 6-digit code it shows. You will need the app at each sign-in.
              </p>
              <dl class="setup-key">
                <dt>Setup key</dt>
                <dd>
                  <code id="mfa-secret">{challenge.secretCode}</code>
                </dd>
                <dt>Or this address (apps that take one)</dt>
                <dd>
                  <code id="mfa-uri">{challenge.setupUri}</code>
                </dd>
              </dl>
              <Field id="answer" label="6-digit code from the app">
                <input id="answer" name="answer" inputMode="numeric" autoComplete="one-time-code" required />
              </Field>
            </>
          )}
          {challenge.challenge === "SOFTWARE_TOKEN_MFA" && (
            <>
              <h2 id="challenge-title">Enter the code from your authenticator app</h2>
              <Field id="answer" label="6-digit code">
                <input id="answer" name="answer" inputMode="numeric" autoComplete="one-time-code" required />
              </Field>
            </>
          )}
          <button type="submit" disabled={busy}>
            Continue
          </button>
        </form>
      )}

      {config.localTokens && (
        <section class="panel" aria-labelledby="local-title">
          <h2 id="local-title">Local stack (make dev)</h2>
          <p>Sign in with a token of the local stack: an admin may change calls; staff may only look.</p>
          <form
            onSubmit={(event) => {
              const data = form(event);
              const role = /** @type {HTMLButtonElement | null} */ (event.submitter)?.value || "admin";
              run(async () => fetchLocalToken(await loadPreferences(), { clinicId: text(data, "clinic") || "demo", role }));
            }}
          >
            <Field id="clinic" label="Clinic">
              <input id="clinic" name="clinic" defaultValue="demo" />
            </Field>
            <div class="actions">
              <button type="submit" name="role" value="admin" disabled={busy}>
                Sign in as admin
              </button>
              <button type="submit" name="role" value="staff" class="secondary" disabled={busy}>
                Sign in as staff
              </button>
            </div>
          </form>
          <form
            onSubmit={(event) => {
              const data = form(event);
              run(async () => useLocalToken(text(data, "token")));
            }}
          >
            <Field id="token" label="Or paste a token" hint="The last line of: make token CLINIC=demo ROLE=admin">
              <textarea id="token" name="token" rows={3} aria-describedby="token-hint" />
            </Field>
            <button type="submit" class="secondary" disabled={busy}>
              Use this token
            </button>
          </form>
        </section>
      )}
    </main>
  );
}
