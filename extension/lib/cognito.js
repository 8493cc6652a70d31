// Amazon Cognito's user-pool API, spoken directly (no SDK): SRP sign-in (lib/srp.js: the password never leaves the
// browser), its challenges, the authenticator app's set-up, refresh, sign-out. The app client has no secret (a
// browser extension cannot keep one), so no SECRET_HASH is sent.
import { requestJson } from "./http.js";
/** @import { JsonResponse } from "./http.js" */
/** @import { Preferences } from "./preferences.js" */

/**
 * The tokens of a signed-in user. A refresh answer carries no new refresh token.
 * @typedef {object} AuthenticationResult
 * @property {string} IdToken
 * @property {string} AccessToken
 * @property {string} [RefreshToken]
 */

/**
 * Cognito's answer: the tokens, or the next step it asks for (GlobalSignOut's answer is empty).
 * @typedef {object} AuthResponse
 * @property {AuthenticationResult} [AuthenticationResult]
 * @property {string} [ChallengeName] e.g. PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA
 * @property {Record<string, string>} [ChallengeParameters] PASSWORD_VERIFIER's SRP_B, SALT, SECRET_BLOCK, ...
 * @property {string} [Session] the challenge's session, sent back with the answer
 * @property {string} [SecretCode] AssociateSoftwareToken's: the authenticator app's secret (base32)
 * @property {string} [Status] VerifySoftwareToken's: SUCCESS or ERROR
 */

/** @type {Record<string, string>} */
const MESSAGES = {
  NotAuthorizedException: "Wrong username or password.",
  UserNotFoundException: "Wrong username or password.",
  PasswordResetRequiredException: "Your password has to be reset. Ask your clinic admin to reset it.",
  UserNotConfirmedException: "Your account is not confirmed yet. Ask your clinic admin.",
  InvalidPasswordException:
    "That password is not allowed: use at least 12 characters with upper and lower case letters, a digit and a symbol.",
  CodeMismatchException: "That code is not right. Check your authenticator app and try again.",
  EnableSoftwareTokenMFAException: "That code is not right. Check your authenticator app and try again.",
  ExpiredCodeException: "That code has expired. Enter the current one.",
  TooManyRequestsException: "Too many attempts. Wait a minute and try again.",
  LimitExceededException: "Too many attempts. Wait a minute and try again.",
  ResourceNotFoundException: "The sign-in preferences are wrong (unknown app client). Check them in the preferences.",
};

/** A sign-in that failed: `code` is Cognito's error name (NotAuthorizedException, ...), or network/not_configured. */
export class SignInError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {Preferences} preferences
 * @returns {string}
 */
function endpoint(preferences) {
  if (preferences.cognito.endpoint) return `${preferences.cognito.endpoint}/`;
  if (!preferences.cognito.region || !preferences.cognito.clientId) {
    throw new SignInError("not_configured", "Sign-in is not set up: enter the AWS region and app client id first.");
  }
  return `https://cognito-idp.${preferences.cognito.region}.amazonaws.com/`;
}

/**
 * @param {Preferences} preferences
 * @param {string} operation
 * @param {object} payload
 * @returns {Promise<AuthResponse>}
 */
async function call(preferences, operation, payload) {
  /** @type {JsonResponse<AuthResponse & {__type?: string, message?: string}>} */
  const response = await requestJson(endpoint(preferences), {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(payload),
  });
  if (response.status === 0) {
    throw new SignInError("network", "Can't reach the sign-in service. Check your internet connection and try again.");
  }
  if (response.status >= 400) {
    const code = String(response.body?.__type || "").split("#").pop() || "unknown";
    throw new SignInError(code, MESSAGES[code] || response.body?.message || "Sign-in failed. Try again.");
  }
  return /** @type {AuthResponse} */ (response.body); // Cognito answers every success with JSON
}

/**
 * Starts an SRP sign-in: Cognito answers with the PASSWORD_VERIFIER challenge (B, the salt, a secret block).
 * @param {Preferences} preferences
 * @param {string} username
 * @param {string} srpA the client's public value, hex
 */
export function initiateSrp(preferences, username, srpA) {
  return call(preferences, "InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH",
    ClientId: preferences.cognito.clientId,
    AuthParameters: { USERNAME: username, SRP_A: srpA },
  });
}

/**
 * A new authenticator-app secret for the user signing in (MFA_SETUP's session).
 * @param {Preferences} preferences
 * @param {string | undefined} session
 */
export function associateSoftwareToken(preferences, session) {
  return call(preferences, "AssociateSoftwareToken", { Session: session });
}

/**
 * Proves the app holds the secret with its current code; the answer's session finishes MFA_SETUP.
 * @param {Preferences} preferences
 * @param {string | undefined} session
 * @param {string} code
 */
export function verifySoftwareToken(preferences, session, code) {
  return call(preferences, "VerifySoftwareToken", { Session: session, UserCode: code, FriendlyDeviceName: "Authenticator app" });
}

/**
 * @param {Preferences} preferences
 * @param {string} challenge
 * @param {string | undefined} session
 * @param {Record<string, string>} responses
 */
export function answerChallenge(preferences, challenge, session, responses) {
  return call(preferences, "RespondToAuthChallenge", {
    ChallengeName: challenge,
    ClientId: preferences.cognito.clientId,
    Session: session,
    ChallengeResponses: responses,
  });
}

/**
 * @param {Preferences} preferences
 * @param {string} refreshToken
 */
export function refresh(preferences, refreshToken) {
  return call(preferences, "InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: preferences.cognito.clientId,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
}

/**
 * @param {Preferences} preferences
 * @param {string} accessToken
 */
export function globalSignOut(preferences, accessToken) {
  return call(preferences, "GlobalSignOut", { AccessToken: accessToken });
}
