// fetch with a time limit that never throws: every outcome is a value the caller can turn into a message.
export async function requestJson(url, init = {}, timeoutMs = 15000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null; // an HTML login page or a proxy's error page: the caller decides from the status
    }
    return {
      status: response.status,
      body,
      redirected: response.redirected,
      requestId: response.headers.get("apigw-requestid"),
    };
  } catch (error) {
    return { status: 0, body: null, failure: error.name === "AbortError" ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
}
