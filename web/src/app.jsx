// The dashboard's frame: sign-in first, then the clinic's pages (calls, a call, the follow-up worklist, overview,
// settings, do-not-call; the outbox in the local stack) under one header. The clinic's settings (its timezone above
// all) are read once after sign-in and shared with every page through the clinic context (clinic.js). The frame
// imports the pages; a page never imports the frame.
import { useEffect, useState } from "preact/hooks";
import { describeSession, getSession, signOut } from "../../extension/lib/session.js";
import { loadPreferences } from "../../extension/lib/preferences.js";
import { api, failureText, onSignedOut } from "./api.js";
import { ClinicContext } from "./clinic.js";
import { Notice } from "./components/notice.jsx";
import { useLoad } from "./hooks.js";
import { CallPage } from "./pages/call.jsx";
import { CallsPage } from "./pages/calls.jsx";
import { DoNotCallPage } from "./pages/do-not-call.jsx";
import { FollowUpPage } from "./pages/follow-up.jsx";
import { NotFoundPage } from "./pages/not-found.jsx";
import { OutboxPage } from "./pages/outbox.jsx";
import { OverviewPage } from "./pages/overview.jsx";
import { SettingsPage } from "./pages/settings.jsx";
import { SignInPage } from "./pages/sign-in.jsx";
import { followLink, navigate, useLocation } from "./router.js";
/** @import { ApiResult } from "../../extension/lib/api.js" */
/** @import { SessionSummary } from "../../extension/lib/session.js" */
/** @import { DashboardConfig, FullSettings } from "./types.js" */

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
      <SignInPage
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

/** @type {() => Promise<ApiResult<FullSettings>>} */
const readSettings = () => api("GET", "/clinic/settings");

/** The header's links: a path and what it reads; `localOnly` for the local stack's pages. */
const LINKS = [
  { href: "/calls", label: "Calls", current: (/** @type {string} */ path) => path.startsWith("/calls") },
  { href: "/follow-up", label: "Needs follow-up" },
  { href: "/overview", label: "Overview" },
  { href: "/settings", label: "Settings" },
  { href: "/do-not-call", label: "Do not call" },
  { href: "/outbox", label: "Outbox", localOnly: true },
];

/**
 * @param {{config: DashboardConfig, session: Extract<SessionSummary, {signedIn: true}>, onSignOut: () => void}} props
 */
function SignedIn({ config, session, onSignOut }) {
  // The API down at the start: keep trying until it answers.
  const clinic = useLoad(readSettings, [], { refreshSeconds: 10, refreshWhile: (settings) => !settings });
  const settings = clinic.data;

  const signOutNow = async () => {
    await signOut(await loadPreferences());
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
          {LINKS.filter((link) => !link.localOnly || config.localTokens).map(({ href, label, current }) => (
            <a key={href} href={href} aria-current={(current ? current(path) : path === href) ? "page" : undefined}>
              {label}
            </a>
          ))}
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
        {clinic.failure && !settings && (
          <Notice kind="error" id="api-down">
            {failureText(clinic.failure)}
          </Notice>
        )}
        {settings && (
          <ClinicContext.Provider value={{ session, settings, settingsSaved: clinic.setData, config }}>
            <Page path={path} />
          </ClinicContext.Provider>
        )}
        {!settings && !clinic.failure && <p class="loading">Loading…</p>}
      </main>
    </div>
  );
}

/** @param {{path: string}} props */
function Page({ path }) {
  const home = path === "/" || path === "/index.html";
  useEffect(() => {
    if (home) navigate("/calls", { replace: true });
  }, [home]);
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call) return <CallPage callId={decodeURIComponent(call[1])} />;
  if (path === "/calls") return <CallsPage />;
  if (path === "/overview") return <OverviewPage />;
  if (path === "/settings") return <SettingsPage />;
  if (path === "/do-not-call") return <DoNotCallPage />;
  if (path === "/follow-up") return <FollowUpPage />;
  if (path === "/outbox") return <OutboxPage />;
  if (home) return null;
  return <NotFoundPage />;
}
