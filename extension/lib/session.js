// The signed-in user's tokens, kept in chrome.storage.local (never patient data). The API is called with the
// Cognito ID token: it carries the clinic (custom:clinic_id) and the groups the API authorises on.
import { answerChallenge, globalSignOut, refresh, signInWithPassword } from "./cognito.js";

const REFRESH_MARGIN_MS = 60_000; // refresh a minute early, so a token never expires on its way to the API

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

export async function getSession() {
  const { session = null } = await chrome.storage.local.get("session");
  return session;
}

async function store(session) {
  await chrome.storage.local.set({ session });
  return session;
}

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

async function storeCognitoResult(result, previous = {}) {
  const auth = result.AuthenticationResult;
  const session = fromToken("cognito", auth.IdToken, {
    accessToken: auth.AccessToken,
    refreshToken: auth.RefreshToken || previous.refreshToken, // a refresh answer carries no new refresh token
  });
  if (!session) throw new Error("The sign-in service returned a token without a clinic. Ask your clinic admin.");
  return store(session);
}

// Returns {session} when signed in, or {challenge, session: <Cognito session string>} when Cognito asks more.
export async function signIn(settings, username, password) {
  return continueWith(await signInWithPassword(settings, username, password), username);
}

export async function completeChallenge(settings, { challenge, cognitoSession, username, answer }) {
  const responses = { USERNAME: username };
  if (challenge === "NEW_PASSWORD_REQUIRED") responses.NEW_PASSWORD = answer;
  else if (challenge === "SOFTWARE_TOKEN_MFA") responses.SOFTWARE_TOKEN_MFA_CODE = answer;
  else throw new Error(`Unsupported sign-in step ${challenge}`);
  return continueWith(await answerChallenge(settings, challenge, cognitoSession, responses), username);
}

async function continueWith(result, username) {
  if (result.AuthenticationResult) return { session: describeSession(await storeCognitoResult(result)) };
  const supported = ["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"];
  if (!supported.includes(result.ChallengeName)) {
    throw new Error(`This account needs a sign-in step the extension does not support (${result.ChallengeName}).`);
  }
  return { challenge: result.ChallengeName, cognitoSession: result.Session, username };
}

export async function useLocalToken(token) {
  const session = fromToken("local", String(token || "").trim());
  if (!session) throw new Error("That is not a token of the local stack (no clinic in it). Run `make token`.");
  if (session.expiresAt <= Date.now()) throw new Error("That token has expired. Run `make token` for a new one.");
  return describeSession(await store(session));
}

let refreshing = null; // one refresh at a time, however many requests need it

// A usable ID token, refreshed when it is (about to be) expired; null when the user must sign in again.
export async function currentIdToken(settings, { forceRefresh = false } = {}) {
  const session = await getSession();
  if (!session) return null;
  if (!forceRefresh && session.expiresAt - REFRESH_MARGIN_MS > Date.now()) return session.idToken;
  if (session.method !== "cognito" || !session.refreshToken) return null;
  refreshing ||= refresh(settings, session.refreshToken)
    .then((result) => storeCognitoResult(result, session))
    .catch(async (error) => {
      if (error.code === "NotAuthorizedException") await chrome.storage.local.remove("session"); // revoked
      return null;
    })
    .finally(() => {
      refreshing = null;
    });
  const renewed = await refreshing;
  return renewed ? renewed.idToken : null;
}

export async function signOut(settings) {
  const session = await getSession();
  await chrome.storage.local.remove("session");
  if (session?.method === "cognito" && session.accessToken) {
    // Revokes the refresh token everywhere; a failure (offline) still leaves this browser signed out.
    await globalSignOut(settings, session.accessToken).catch(() => undefined);
  }
}
