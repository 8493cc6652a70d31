// Amazon Cognito's user-pool API, spoken directly (no SDK): password sign-in, its challenges, refresh, sign-out.
// The app client has no secret (a browser extension cannot keep one), so no SECRET_HASH is sent.
import { requestJson } from "./http.js";

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
  ResourceNotFoundException: "The sign-in settings are wrong (unknown app client). Check them in the settings.",
};

export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function endpoint(settings) {
  if (settings.cognito.endpoint) return `${settings.cognito.endpoint}/`;
  if (!settings.cognito.region || !settings.cognito.clientId) {
    throw new SignInError("not_configured", "Sign-in is not set up: enter the AWS region and app client id first.");
  }
  return `https://cognito-idp.${settings.cognito.region}.amazonaws.com/`;
}

async function call(settings, operation, payload) {
  const response = await requestJson(endpoint(settings), {
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
  return response.body;
}

export function signInWithPassword(settings, username, password) {
  return call(settings, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: settings.cognito.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
}

export function answerChallenge(settings, challenge, session, responses) {
  return call(settings, "RespondToAuthChallenge", {
    ChallengeName: challenge,
    ClientId: settings.cognito.clientId,
    Session: session,
    ChallengeResponses: responses,
  });
}

export function refresh(settings, refreshToken) {
  return call(settings, "InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: settings.cognito.clientId,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
}

export function globalSignOut(settings, accessToken) {
  return call(settings, "GlobalSignOut", { AccessToken: accessToken });
}
