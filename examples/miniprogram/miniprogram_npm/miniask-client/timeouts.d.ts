/** The round trip and the Function URL's front end, on top of the function's own time. */
export declare const CLIENT_MARGIN_MS = 5000;
/**
 * wx.request waits 60 s at most, whatever `timeout` asks ("默认超时时间和最大超时时间都是 60s",
 * the Mini Program network guide): a function that may run longer outlives its client.
 */
export declare const WX_REQUEST_CEILING_MS = 60000;
/** login and flags are served by the auth function; ask and refine by their intent's. */
export declare function createTimeouts(override?: number): (fn: string | undefined) => number;
