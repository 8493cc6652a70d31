// Pages ask the service worker; its errors come back as rejections with the field they concern, if any.
export async function ask(type, payload = {}) {
  const answer = await chrome.runtime.sendMessage({ type, ...payload });
  if (answer?.error) {
    const error = new Error(answer.error.message);
    error.field = answer.error.field;
    throw error;
  }
  return answer?.value;
}

export function openExtensionPage(path) {
  return chrome.tabs.create({ url: chrome.runtime.getURL(path) });
}
