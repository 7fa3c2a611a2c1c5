// The public v1 API as any client speaks it: a short-lived bearer token kept in memory, renewed
// through the refresh cookies (POST /v1/auth/refresh with the `refresh_csrf` cookie echoed in
// X-CSRF-Token). Nothing secret is stored by this script.

const BASE = "/v1";
const TIMEOUT_MS = 30000;
const CSRF_COOKIE = "refresh_csrf";
// Tabs of the same browser share the refresh cookies. A refresh rotates the session, and
// presenting an already-rotated one counts as a replay, so tabs take turns (a Web Lock) and
// tell each other the new token (a BroadcastChannel) instead of refreshing on their own.
const LOCK = "synthetic-soul-session";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

async function errorOf(response) {
  let code = "http_" + response.status;
  let message = response.statusText || "The request failed.";
  try {
    const body = await response.json();
    if (body?.error) ({ code, message } = body.error);
  } catch {
    // not the JSON envelope (e.g. a proxy's page): keep the status line
  }
  const retry = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, code, message, Number.isFinite(retry) ? retry : null);
}

async function call(method, path, { token = null, body, headers = {}, read = "json" } = {}) {
  const init = {
    method,
    headers: { Accept: "application/json", ...headers },
    credentials: "same-origin",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof FormData) {
    init.body = body; // the browser writes the multipart boundary into Content-Type itself
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  if (!response.ok) throw await errorOf(response);
  const content = read === "blob" ? await response.blob() : await response.json();
  return { body: content, headers: response.headers };
}

/** The headers that say which agent a call speaks to: none for the default agent. */
export function speakingTo(agent) {
  return agent ? { "X-Agent": agent } : {};
}

function withLock(task) {
  // Web Locks need a secure context (localhost or https); elsewhere one tab is the common case.
  return navigator.locks ? navigator.locks.request(LOCK, task) : task();
}

export class Session extends EventTarget {
  token = null;
  me = null; // {user_id, username, sid, guest}
  #channel = "BroadcastChannel" in window ? new BroadcastChannel(LOCK) : null;

  constructor() {
    super();
    this.#channel?.addEventListener("message", (event) => {
      const { token, reason } = event.data ?? {};
      if (typeof token === "string" && token !== this.token) this.#adopt(token, reason, false);
    });
  }

  /** Whether the browser kept the refresh cookies (it refuses `Secure` ones on plain http). */
  get persistent() {
    return readCookie(CSRF_COOKIE) !== null;
  }

  /** Resume the session the refresh cookies hold, or start a new guest. */
  async start() {
    await withLock(async () => {
      if (readCookie(CSRF_COOKIE)) {
        try {
          await this.#refresh();
          return;
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 401)) throw error;
        }
      }
      await this.#grant("guest", "/auth/guest");
    });
  }

  async login(email, password) {
    await this.#grant("login", "/auth/login", { email, password });
  }

  async claim(username, email, password) {
    await this.#grant("claim", "/auth/claim", { username, email, password }, this.token);
  }

  /** Sign out, then carry on as a new guest: every view needs someone signed in. */
  async logout() {
    await call("POST", "/auth/logout", { token: this.token });
    await this.#grant("logout", "/auth/guest");
  }

  /**
   * A call with the bearer token, renewed once if the server refuses it; the body.
   * `headers`: extra ones (`speakingTo(agent)` for an agent-scoped route). `body`: JSON, or a
   * FormData sent as multipart.
   */
  async request(method, path, body, headers = {}) {
    return (await this.send(method, path, body, headers)).body;
  }

  /** Like `request`, with the response headers too (Retry-After, Location). */
  async send(method, path, body, headers = {}) {
    return this.#signed(method, path, { body, headers });
  }

  /** A GET whose answer is a file (a card), as a Blob. */
  async download(path, headers = {}) {
    return (await this.#signed("GET", path, { headers, read: "blob" })).body;
  }

  async #signed(method, path, options) {
    const used = this.token;
    try {
      return await call(method, path, { ...options, token: used });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.renew(used);
      return await call(method, path, { ...options, token: this.token });
    }
  }

  /** A new access token after `failed` was refused; another tab may have renewed already. */
  async renew(failed) {
    await withLock(async () => {
      if (this.token && this.token !== failed) return;
      try {
        await this.#refresh();
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        const wasGuest = this.me?.guest ?? true;
        await this.#grant(wasGuest ? "guest" : "expired", "/auth/guest");
      }
    });
  }

  async #refresh() {
    const csrf = readCookie(CSRF_COOKIE) ?? "";
    const { body } = await call("POST", "/auth/refresh", { headers: { "X-CSRF-Token": csrf } });
    await this.#adopt(body.access_token, "refresh", true);
  }

  async #grant(reason, path, body, token = null) {
    const reply = await call("POST", path, { body, token });
    await this.#adopt(reply.body.access_token, reason, true);
  }

  async #adopt(token, reason, announce) {
    this.token = token;
    if (announce) this.#channel?.postMessage({ token, reason });
    const previous = this.me?.user_id;
    this.me = (await call("GET", "/auth/me", { token })).body;
    const detail = { reason, userChanged: previous !== this.me.user_id };
    this.dispatchEvent(new CustomEvent("change", { detail }));
  }
}
