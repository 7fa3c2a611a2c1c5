// Following a job to its end: server-sent events first, polling when the stream fails.

import { ApiError } from "./api.js";

const FINISHED = new Set(["succeeded", "failed"]);
const POLL_DELAYS_MS = [400, 800, 1200, 2000];
// While the stream is open, a slow poll as well: a proxy that buffers the stream (or a
// connection that dies silently) must not leave the page waiting forever.
const SAFETY_POLL_MS = 15000;

/**
 * Resolve with the job's final snapshot (`succeeded` or `failed`).
 * handlers: onStatus(snapshot), onToken({text, reset}), onFallback().
 */
export function followJob(session, jobId, handlers = {}) {
  return new Promise((resolve, reject) => {
    let finished = false;
    let source = null;
    let pollTimer = 0;
    let safetyTimer = 0;

    const stop = () => {
      finished = true;
      source?.close();
      clearTimeout(pollTimer);
      clearInterval(safetyTimer);
    };
    const finish = (snapshot) => {
      if (finished) return;
      stop();
      handlers.onStatus?.(snapshot);
      resolve(snapshot);
    };
    const check = async () => {
      const snapshot = await session.request("GET", `/jobs/${encodeURIComponent(jobId)}`);
      if (FINISHED.has(snapshot.status)) finish(snapshot);
      else if (!finished) handlers.onStatus?.(snapshot);
    };
    const poll = async (attempt = 0) => {
      if (finished) return;
      try {
        await check();
      } catch (error) {
        // A job of ours is never 404; one that is has gone for good. Anything else (the
        // network, a restart, 429) is worth another try.
        if (error instanceof ApiError && error.status === 404) {
          stop();
          reject(error);
          return;
        }
      }
      if (finished) return;
      const delay = POLL_DELAYS_MS[Math.min(attempt, POLL_DELAYS_MS.length - 1)];
      pollTimer = setTimeout(() => poll(attempt + 1), delay);
    };

    if (!("EventSource" in window)) {
      poll();
      return;
    }
    const url =
      `/v1/jobs/${encodeURIComponent(jobId)}/events` +
      `?access_token=${encodeURIComponent(session.token)}`;
    source = new EventSource(url);
    const on = (name, handle) =>
      source.addEventListener(name, (event) => {
        if (!finished) handle(JSON.parse(event.data));
      });
    on("status", (snapshot) =>
      FINISHED.has(snapshot.status) ? finish(snapshot) : handlers.onStatus?.(snapshot),
    );
    on("progress", (data) => handlers.onStatus?.(data));
    on("token", (data) => handlers.onToken?.(data));
    on("done", finish);
    source.addEventListener("error", () => {
      if (finished) return;
      source.close();
      source = null;
      handlers.onFallback?.();
      poll();
    });
    safetyTimer = setInterval(() => {
      if (source) check().catch(() => {});
    }, SAFETY_POLL_MS);
  });
}
