// The signed-in clinic that every page reads: who is signed in, the clinic's settings (its timezone above all, read
// once after sign-in by app.jsx, which provides it) and the dashboard's configuration. A module of its own so pages
// need not import the frame that imports them.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
/** @import { SessionSummary } from "../../extension/lib/session.js" */
/** @import { DashboardConfig, FullSettings } from "./types.js" */

/**
 * @typedef {object} Clinic
 * @property {Extract<SessionSummary, {signedIn: true}>} session
 * @property {FullSettings} settings
 * @property {(settings: FullSettings) => void} settingsSaved
 * @property {DashboardConfig} config
 */

export const ClinicContext = createContext(/** @type {Clinic | null} */ (null));

/** @returns {Clinic} the signed-in clinic (only pages under the signed-in frame use it) */
export function useClinic() {
  return /** @type {Clinic} */ (useContext(ClinicContext));
}
