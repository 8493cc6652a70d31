// The signed-in user's tokens, kept only while the browser runs: chrome.storage.session (the dashboard's in
// sessionStorage: lib/platform.js), never on disk and never patient data. Front-desk machines are shared, so a
// sign-in ends with the browser, and the refresh token lasts a day. The API is called with the Cognito ID token: it
// carries the clinic (custom:clinic_id) and the groups the API authorises on.
import {
  SignInError,
  answerChallenge,
  associateSoftwareToken,
  globalSignOut,
  initiateSrp,
  refresh,
  verifySoftwareToken,
} from "./cognito.js";
import { requestJson } from "./http.js";
import { platform } from "./platform.js";
import { startSrp } from "./srp.js";
/** @import { JsonResponse } from "./http.js" */
/** @import { AuthResponse, AuthenticationResult } from "./cognito.js" */
/** @import { PasswordVerifierParameters } from "./srp.js" */
/** @import { Preferences } from "./preferences.js" */

/**
 * What is kept in chrome.storage.session while signed in.
 * @typedef {object} Session
 * @property {"cognito" | "local"} method
 * @property {string} idToken
 * @property {number} expiresAt the ID token's expiry, ms since the epoch
 * @property {string | undefined} username cognito:username, else email, else sub
 * @property {string} clinicId
 * @property {boolean} isAdmin
 * @property {string} [accessToken] Cognito only: for the sign-out everywhere
 * @property {string} [refreshToken] Cognito only
 */

/**
 * What pages are told about the session: never the tokens.
 * @typedef {{signedIn: false} | {
 *   signedIn: true, method: Session["method"], username: string | undefined, clinicId: string, isAdmin: boolean,
 *   expiresAt: number, canRefresh: boolean,
 * }} SessionSummary
 */

/** @typedef {"NEW_PASSWORD_REQUIRED" | "MFA_SETUP" | "SOFTWARE_TOKEN_MFA"} ChallengeName */

/**
 * Cognito asks for one more step: the options page asks the user and sends the answer with these back.
 * MFA_SETUP (a first sign-in) comes with the authenticator app's new secret, to be typed into the app (or its
 * otpauth:// address); the answer is the app's first code.
 * @typedef {object} Challenge
 * @property {ChallengeName} challenge
 * @property {string | undefined} cognitoSession
 * @property {string} username Cognito's name for the user (USER_ID_FOR_SRP), sent with every answer
 * @property {string} label the name the user signed in with, shown in the authenticator app
 * @property {string} [secretCode] MFA_SETUP only
 * @property {string} [setupUri] MFA_SETUP only: otpauth://totp/...
 */

/** @typedef {{session: SessionSummary, challenge?: undefined} | Challenge} SignInStep */

/**
 * The claims of an ID token that are read here.
 * @typedef {{
 *   exp?: number | string, sub?: string, email?: string, "cognito:username"?: string,
 *   "custom:clinic_id"?: string, "cognito:groups"?: string[] | string,
 * }} Claims
 */

const REFRESH_MARGIN_MS = 60_000; // refresh a minute early, so a token never expires on its way to the API

/**
 * A JWT's payload, not verified (the API verifies it); null when it cannot be read.
 * @param {string} token
 * @returns {Claims | null}
 */
export function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "="))
        .split("")
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
        .join(""),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * @param {Session["method"]} method
 * @param {string} idToken
 * @param {{accessToken?: string, refreshToken?: string}} [extra]
 * @returns {Session | null} null when the token names no clinic
 */
function fromToken(method, idToken, extra = {}) {
  const claims = claimsOf(idToken);
  if (!claims || !claims["custom:clinic_id"]) return null;
  const groups = claims["cognito:groups"] || [];
  return {
    method,
    idToken,
    expiresAt: Number(claims.exp || 0) * 1000,
    username: claims["cognito:username"] || claims.email || claims.sub,
    clinicId: claims["custom:clinic_id"],
    isAdmin: (Array.isArray(groups) ? groups : String(groups).split(/[\s,[\]]+/)).includes("admin"),
    ...extra,
  };
}

const ISSUER = "Discharge calls"; // how the account is named in the authenticator app

/** @returns {Promise<Session | null>} */
export async function getSession() {
  return /** @type {Session | undefined} */ (await platform().session.get()) || null;
}

/**
 * @param {Session} session
 * @returns {Promise<Session>}
 */
async function store(session) {
  await platform().session.set(session);
  return session;
}

/**
 * The address an authenticator app reads the secret from (typed, or pasted into apps that take one).
 * @param {string} secret base32
 * @param {string} label
 */
export function setupUri(secret, label) {
  const account = encodeURIComponent(`${ISSUER}:${label}`);
  return `otpauth://totp/${account}?secret=${secret}&issuer=${encodeURIComponent(ISSUER)}&algorithm=SHA1&digits=6&period=30`;
}

/**
 * @param {Session | null} session
 * @returns {SessionSummary}
 */
export function describeSession(session) {
  if (!session) return { signedIn: false };
  return {
    signedIn: true,
    method: session.method,
    username: session.username,
    clinicId: session.clinicId,
    isAdmin: session.isAdmin,
    expiresAt: session.expiresAt,
    canRefresh: Boolean(session.refreshToken),
  };
}

/**
 * @param {AuthResponse} result an answer with tokens
 * @param {{refreshToken?: string}} [previous] the session a refresh renews
 * @returns {Promise<Session>}
 */
async function storeCognitoResult(result, previous = {}) {
  const auth = /** @type {AuthenticationResult} */ (result.AuthenticationResult);
  const session = fromToken("cognito", auth.IdToken, {
    accessToken: auth.AccessToken,
    refreshToken: auth.RefreshToken || previous.refreshToken, // a refresh answer carries no new refresh token
  });
  if (!session) throw new Error("The sign-in service returned a token without a clinic. Ask your clinic admin.");
  return store(session);
}

/**
 * Signs in with SRP (USER_SRP_AUTH, then PASSWORD_VERIFIER): Cognito never sees the password. Returns {session}
 * when signed in, or the next step (a new password, the authenticator app's set-up or its code).
 * @param {Preferences} preferences
 * @param {string} username
 * @param {string} password
 * @returns {Promise<SignInStep>}
 */
export async function signIn(preferences, username, password) {
  const userPoolId = preferences.cognito.userPoolId;
  if (!userPoolId) {
    throw new SignInError("not_configured", "Sign-in is not set up: enter the user pool id in the preferences.");
  }
  const srp = await startSrp(userPoolId);
  const started = await initiateSrp(preferences, username, srp.srpA);
  if (started.ChallengeName !== "PASSWORD_VERIFIER") return continueWith(preferences, started, username, username);
  const parameters = /** @type {PasswordVerifierParameters} */ (started.ChallengeParameters);
  const responses = await srp.answer(parameters, password);
  const verified = await answerChallenge(preferences, "PASSWORD_VERIFIER", started.Session, responses);
  return continueWith(preferences, verified, responses.USERNAME, username);
}

/**
 * @param {Preferences} preferences
 * @param {Challenge & {answer: string}} step
 * @returns {Promise<SignInStep>}
 */
export async function completeChallenge(preferences, { challenge, cognitoSession, username, label, answer }) {
  /** @type {Record<string, string>} */
  const responses = { USERNAME: username };
  let session = cognitoSession;
  if (challenge === "NEW_PASSWORD_REQUIRED") responses.NEW_PASSWORD = answer;
  else if (challenge === "SOFTWARE_TOKEN_MFA") responses.SOFTWARE_TOKEN_MFA_CODE = answer.trim();
  else if (challenge === "MFA_SETUP") {
    // The app's first code proves it holds the secret; only then does Cognito finish the sign-in.
    const verified = await verifySoftwareToken(preferences, cognitoSession, answer.trim());
    if (verified.Status !== "SUCCESS") {
      throw new SignInError("CodeMismatchException", "That code is not right. Check your authenticator app and try again.");
    }
    session = verified.Session;
  } else throw new Error(`Unsupported sign-in step ${challenge}`);
  const result = await answerChallenge(preferences, challenge, session, responses);
  return continueWith(preferences, result, username, label);
}

/**
 * @param {Preferences} preferences
 * @param {AuthResponse} result
 * @param {string} username Cognito's name for the user
 * @param {string} label the name the user signed in with
 * @returns {Promise<SignInStep>}
 */
async function continueWith(preferences, result, username, label) {
  if (result.AuthenticationResult) return { session: describeSession(await storeCognitoResult(result)) };
  if (result.ChallengeName === "MFA_SETUP") {
    const associated = await associateSoftwareToken(preferences, result.Session);
    const secretCode = String(associated.SecretCode || "");
    const setup = { secretCode, setupUri: setupUri(secretCode, label) };
    return { challenge: "MFA_SETUP", cognitoSession: associated.Session || result.Session, username, label, ...setup };
  }
  /** @type {(string | undefined)[]} */
  const supported = ["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"];
  if (!supported.includes(result.ChallengeName)) {
    throw new Error(`This account needs a sign-in step the extension does not support (${result.ChallengeName}).`);
  }
  const challenge = /** @type {ChallengeName} */ (result.ChallengeName);
  return { challenge, cognitoSession: result.Session, username, label };
}

/**
 * @param {unknown} token a token of `make dev`'s local stack, as pasted or fetched
 * @returns {Promise<SessionSummary>}
 */
export async function useLocalToken(token) {
  const session = fromToken("local", String(token || "").trim());
  if (!session) throw new Error("That is not a token of the local stack (no clinic in it). Run `make token`.");
  if (session.expiresAt <= Date.now()) throw new Error("That token has expired. Run `make token` for a new one.");
  return describeSession(await store(session));
}

/**
 * Asks `make dev`'s local stack for a token (POST /local/token) and signs in with it.
 * @param {Preferences} preferences
 * @param {{clinicId: string, role: string}} who
 * @returns {Promise<SessionSummary>}
 */
export async function fetchLocalToken(preferences, { clinicId, role }) {
  if (!preferences.apiBase) throw new Error("Enter the API address first.");
  /** @type {JsonResponse<{token?: string}>} */
  const response = await requestJson(`${preferences.apiBase}/local/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ clinicId, role }),
  });
  if (response.status === 0) throw new Error(`Can't reach ${preferences.apiBase}. Is \`make dev\` running?`);
  if (response.status !== 200 || !response.body?.token) {
    throw new Error("This API does not hand out local tokens: it is not the local stack. Use Cognito sign-in.");
  }
  return useLocalToken(response.body.token);
}

/** @type {Promise<Session | null> | null} */
let refreshing = null; // one refresh at a time, however many requests need it

/**
 * A usable ID token, refreshed when it is (about to be) expired; null when the user must sign in again.
 * @param {Preferences} preferences
 * @param {{forceRefresh?: boolean}} [options]
 * @returns {Promise<string | null>}
 */
export async function currentIdToken(preferences, { forceRefresh = false } = {}) {
  const session = await getSession();
  if (!session) return null;
  if (!forceRefresh && session.expiresAt - REFRESH_MARGIN_MS > Date.now()) return session.idToken;
  if (session.method !== "cognito" || !session.refreshToken) return null;
  refreshing ||= refresh(preferences, session.refreshToken)
    .then((result) => storeCognitoResult(result, session))
    .catch(async (error) => {
      if (error.code === "NotAuthorizedException") await platform().session.remove(); // revoked
      return null;
    })
    .finally(() => {
      refreshing = null;
    });
  const renewed = await refreshing;
  return renewed ? renewed.idToken : null;
}

/**
 * @param {Preferences} preferences
 * @returns {Promise<void>}
 */
export async function signOut(preferences) {
  const session = await getSession();
  await platform().session.remove();
  if (session?.method === "cognito" && session.accessToken) {
    // Revokes the refresh token everywhere; a failure (offline) still leaves this browser signed out.
    await globalSignOut(preferences, session.accessToken).catch(() => undefined);
  }
}
