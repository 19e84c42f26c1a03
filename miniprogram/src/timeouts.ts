// How long the client waits for each call: as long as the function that serves it may run
// (serverless.yml's timeout, generated into functionTimeouts.ts at build), plus the trip, up to
// wx.request's ceiling. Less would give up on an answer the user is charged for (a 90 s support
// function behind a 15 s client); the margin lets the platform's own timeout reply arrive first.
import { FUNCTION_TIMEOUT_MS } from "./functionTimeouts";

/** The round trip and the Function URL's front end, on top of the function's own time. */
export const CLIENT_MARGIN_MS = 5000;

/**
 * wx.request waits 60 s at most, whatever `timeout` asks ("默认超时时间和最大超时时间都是 60s",
 * the Mini Program network guide): a function that may run longer outlives its client.
 */
export const WX_REQUEST_CEILING_MS = 60_000;

/** login and flags are served by the auth function; ask and refine by their intent's. */
export function createTimeouts(override?: number): (fn: string | undefined) => number {
  let longest = 0;
  for (const name in FUNCTION_TIMEOUT_MS) if (name !== "auth") longest = Math.max(longest, FUNCTION_TIMEOUT_MS[name] || 0);
  return (fn) => {
    if (override !== undefined) return override;
    // An intent this build does not know (added after it): as long as the longest one.
    const own = fn === undefined ? undefined : FUNCTION_TIMEOUT_MS[fn];
    return Math.min((own === undefined ? longest : own) + CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS);
  };
}
