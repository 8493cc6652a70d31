// The dashboard's frame: sign-in first, then the clinic's pages (calls, a call, the follow-up worklist, overview,
// settings, do-not-call; the outbox in the local stack) under one
// header. The clinic's settings (its timezone above all) are read once after sign-in and shared with every page.
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useState } from "preact/hooks";
import { describeSession, getSession, signOut } from "../../extension/lib/session.js";
import { loadSettings } from "../../extension/lib/settings.js";
import { api, failureText, onSignedOut } from "./api.js";
import { CallPage } from "./call.jsx";
import { CallsPage } from "./calls.jsx";
import { DoNotCallPage } from "./donotcall.jsx";
import { FollowUpPage } from "./followup.jsx";
import { OutboxPage } from "./outbox.jsx";
import { OverviewPage } from "./overview.jsx";
import { followLink, navigate, useLocation } from "./router.js";
import { SettingsPage } from "./settings.jsx";
import { SignIn } from "./signin.jsx";
import { Notice, useRefreshWhileVisible } from "./ui.jsx";
/** @import { SessionSummary } from "../../extension/lib/session.js" */
/** @import { DashboardConfig, FullSettings } from "./types.js" */

/**
 * @typedef {object} Clinic
 * @property {Extract<SessionSummary, {signedIn: true}>} session
 * @property {FullSettings} settings
 * @property {(settings: FullSettings) => void} settingsSaved
 * @property {DashboardConfig} config
 */

const ClinicContext = createContext(/** @type {Clinic | null} */ (null));

/** @returns {Clinic} the signed-in clinic (only pages under the signed-in frame use it) */
export function useClinic() {
  return /** @type {Clinic} */ (useContext(ClinicContext));
}

/** @param {{config: DashboardConfig}} props */
export function App({ config }) {
  const [session, setSession] = useState(/** @type {SessionSummary | null} */ (null));
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    getSession().then((stored) => {
      const summary = describeSession(stored);
      // A local token cannot be refreshed: once expired, it is as good as none.
      const usable = summary.signedIn && (summary.canRefresh || summary.expiresAt > Date.now());
      setSession(usable ? summary : { signedIn: false });
      setExpired(summary.signedIn && !usable);
    });
    return onSignedOut((wasExpired) => {
      setExpired(wasExpired);
      setSession({ signedIn: false });
    });
  }, []);
  if (!session) return <p class="loading">Loading…</p>;
  if (!session.signedIn) {
    return (
      <SignIn
        config={config}
        expired={expired}
        onSignedIn={(summary) => {
          setExpired(false);
          setSession(summary);
        }}
      />
    );
  }
  return <SignedIn config={config} session={session} onSignOut={() => setSession({ signedIn: false })} />;
}

/**
 * @param {{config: DashboardConfig, session: Extract<SessionSummary, {signedIn: true}>, onSignOut: () => void}} props
 */
function SignedIn({ config, session, onSignOut }) {
  const [settings, setSettings] = useState(/** @type {FullSettings | null} */ (null));
  const [problem, setProblem] = useState("");
  const load = useCallback(async () => {
    /** @type {import("../../extension/lib/api.js").ApiResult<FullSettings>} */
    const result = await api("GET", "/clinic/settings");
    if (result.ok) {
      setSettings(result.data);
      setProblem("");
    } else setProblem(failureText(result));
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  useRefreshWhileVisible(load, 10, !settings); // the API down at the start: keep trying until it answers

  const signOutNow = async () => {
    await signOut(await loadSettings());
    onSignOut();
  };
  const { path } = useLocation();
  return (
    <div class="frame" onClick={followLink}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/calls">
          <img src="/icon.png" alt="" width="24" height="24" />
          <span>Discharge calls</span>
        </a>
        <nav aria-label="Dashboard">
          <a href="/calls" aria-current={path.startsWith("/calls") ? "page" : undefined}>
            Calls
          </a>
          <a href="/follow-up" aria-current={path === "/follow-up" ? "page" : undefined}>
            Needs follow-up
          </a>
          <a href="/overview" aria-current={path === "/overview" ? "page" : undefined}>
            Overview
          </a>
          <a href="/settings" aria-current={path === "/settings" ? "page" : undefined}>
            Settings
          </a>
          <a href="/do-not-call" aria-current={path === "/do-not-call" ? "page" : undefined}>
            Do not call
          </a>
          {config.localTokens && (
            <a href="/outbox" aria-current={path === "/outbox" ? "page" : undefined}>
              Outbox
            </a>
          )}
        </nav>
        <div class="who">
          <span id="who">
            {session.username} · clinic {session.clinicId} ·{" "}
            <strong>{session.isAdmin ? "Admin" : "Read-only"}</strong>
          </span>
          <button type="button" class="link-button" onClick={signOutNow}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {problem && !settings && (
          <Notice kind="error" id="api-down">
            {problem}
          </Notice>
        )}
        {settings && (
          <ClinicContext.Provider value={{ session, settings, settingsSaved: setSettings, config }}>
            <Page path={path} />
          </ClinicContext.Provider>
        )}
        {!settings && !problem && <p class="loading">Loading…</p>}
      </main>
    </div>
  );
}

/** @param {{path: string}} props */
function Page({ path }) {
  useEffect(() => {
    if (path === "/" || path === "/index.html") navigate("/calls", { replace: true });
  }, [path]);
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call) return <CallPage callId={decodeURIComponent(call[1])} />;
  if (path === "/calls") return <CallsPage />;
  if (path === "/overview") return <OverviewPage />;
  if (path === "/settings") return <SettingsPage />;
  if (path === "/do-not-call") return <DoNotCallPage />;
  if (path === "/follow-up") return <FollowUpPage />;
  if (path === "/outbox") return <OutboxPage />;
  if (path === "/" || path === "/index.html") return null;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/calls">Go to the calls</a>.
      </p>
    </section>
  );
}
