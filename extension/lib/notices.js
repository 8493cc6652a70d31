// What the vet reads when something stops the popup: a title, a sentence and the next step, never a blank popup.
/** @import { ApiFailure, HttpFailure } from "./api.js" */
/** @import { IdexxFailure } from "./idexx.js" */

/**
 * A button under a notice: what the popup does when it is pressed (popup.js: runAction).
 * @typedef {{label: string, action: "preferences" | "retry" | "open-call", callId?: string}} NoticeAction
 */

/** @typedef {{title: string, text: string, actions: NoticeAction[]}} Notice */

/**
 * What stopped the popup: a failure of the service worker, or one the popup found itself.
 * @typedef {(ApiFailure | IdexxFailure | {kind: "not_consultation"} | {kind: "duplicate", message: string})
 *   & {extraActions?: NoticeAction[]}} Problem
 */

/** @type {NoticeAction} */
const PREFERENCES = { label: "Open preferences", action: "preferences" };
/** @type {NoticeAction} */
const RETRY = { label: "Try again", action: "retry" };

/**
 * @param {Problem} result
 * @param {{idexxHost?: string, consultationId?: string | null}} [context] the consultation the popup tried to read
 * @returns {Notice}
 */
export function noticeFor(result, { idexxHost = "us.idexxneo.com", consultationId = "" } = {}) {
  switch (result.kind) {
    case "not_consultation":
      return {
        title: "Open a consultation first",
        text: `Go to a consultation in IDEXX Neo (its address looks like ${idexxHost}/consultations/12345), then click Discharge Calls again. If one is open, reload the page.`,
        actions: [],
      };
    case "not_configured":
      return {
        title: "Finish setting up",
        text: "The extension doesn't know which scheduling service to use yet. Enter its address in the preferences.",
        actions: [PREFERENCES],
      };
    case "signed_out":
      return {
        title: result.expired ? "Your sign-in has expired" : "Sign in to schedule calls",
        text: "Sign in with your clinic account in the preferences, then click the extension again.",
        actions: [{ label: "Sign in", action: "preferences" }],
      };
    case "idexx_signed_out":
      return {
        title: "Sign in to IDEXX Neo",
        text: `IDEXX Neo says you are not signed in, or your session has ended. Sign in at ${idexxHost} in this browser, then try again.`,
        actions: [RETRY],
      };
    case "idexx_unreachable":
      return {
        title: "Can't reach IDEXX Neo",
        text: `${idexxHost} is not answering. Check your internet connection, then try again.`,
        actions: [RETRY],
      };
    case "idexx_not_found":
      return {
        title: "Consultation not found",
        text: `IDEXX Neo has no data for consultation ${consultationId}. Reload the consultation page and try again.`,
        actions: [RETRY],
      };
    case "idexx_error":
      return {
        title: "IDEXX Neo sent something unexpected",
        text: `Its answer (HTTP ${result.status}) had no consultation data. Reload the consultation page and try again; if it keeps happening, tell your clinic admin.`,
        actions: [RETRY],
      };
    case "network":
      return {
        title: "Can't reach the scheduling service",
        text: `${result.apiBase} is not answering${result.failure === "timeout" ? " in time" : ""}. Check your internet connection, then try again.`,
        actions: [RETRY],
      };
    case "duplicate":
      return { title: "This consultation already has a call", text: result.message, actions: [] };
    default:
      return httpNotice(result);
  }
}

/**
 * @param {HttpFailure} result
 * @returns {Notice}
 */
function httpNotice(result) {
  if (result.status === 403) {
    return {
      title: "Your account can't schedule calls",
      text: "Scheduling a call needs a clinic admin account. Ask an admin of your clinic to schedule it, or to give you access.",
      actions: [],
    };
  }
  if (result.status >= 500) {
    const reference = result.requestId ? ` (reference ${result.requestId})` : "";
    return {
      title: "Something went wrong on our side",
      text: `The scheduling service had a problem${reference}. Try again in a minute; if it keeps happening, tell your clinic admin.`,
      actions: [RETRY],
    };
  }
  return {
    title: "The scheduling service refused this",
    text: result.message || `It answered HTTP ${result.status}.`,
    actions: [RETRY],
  };
}
