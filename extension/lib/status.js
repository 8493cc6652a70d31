// A call's status in the clinic's words, for the extension's call page and the dashboard alike.
/** @import { CallStatus } from "./api.js" */

/** @type {Record<CallStatus, string>} */
export const STATUS = {
  scheduled: "Scheduled",
  initiated: "Dialing",
  in_progress: "On the call",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};
