// Runs on IDEXX Neo consultation pages. It only reads which consultation is open (IDEXX Neo is a single-page
// app, so the address is read when asked, not when the script loaded); the data itself is fetched by the
// service worker with the vet's IDEXX session.
const CONSULTATION_PATH = /^\/consultations\/([A-Za-z0-9_-]+)(?:\/|$)/;

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type !== "consultation.current") return false;
  const match = CONSULTATION_PATH.exec(location.pathname);
  sendResponse({ consultationId: match ? match[1] : null, origin: location.origin });
  return false;
});
