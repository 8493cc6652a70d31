// Amazon Cognito's user-pool API, spoken directly (no SDK): password sign-in, its challenges, refresh, sign-out.
// The app client has no secret (a browser extension cannot keep one), so no SECRET_HASH is sent.
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
 * @property {string} [ChallengeName] e.g. NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA
 * @property {string} [Session] the challenge's session, sent back with the answer
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
 * @param {Preferences} preferences
 * @param {string} username
 * @param {string} password
 */
export function signInWithPassword(preferences, username, password) {
  return call(preferences, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: preferences.cognito.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
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
