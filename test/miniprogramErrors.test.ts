// How the client reads an error reply: the server's shape {error: {code, message, details?},
// traceId} (lib/http/errorResponse.ts) and its Retry-After header.
import { describe, expect, it } from "vitest";
import { MiniaskError, errorFromBody, headerValue } from "../miniprogram/src/errors";

describe("errorFromBody", () => {
  it("keeps the server's code, message and traceId", () => {
    const err = errorFromBody({ error: { code: "blocked_input", message: "the input is not allowed" }, traceId: "t-server" }, 422, "t-client");
    expect(err).toBeInstanceOf(MiniaskError);
    expect(err).toMatchObject({ code: "blocked_input", detail: "the input is not allowed", traceId: "t-server", status: 422 });
    expect(err.message).toBe("the input is not allowed (trace t-server)");
    expect(err.details).toBeUndefined();
    expect(err.retryAfter).toBeUndefined();
  });

  it("carries WeChat's content category of a blocked answer, for the page to show", () => {
    const err = errorFromBody({ error: { code: "blocked_output", message: "withheld (porn)", category: "porn", categoryTitle: "色情" }, traceId: "t" }, 502, "t");
    expect(err).toMatchObject({ code: "blocked_output", category: "porn", categoryTitle: "色情", status: 502 });
    expect(errorFromBody({ error: { code: "rate_limited", message: "slow down" }, traceId: "t" }, 429, "t").category).toBeUndefined();
  });

  it("lists every rejected field when the body has error.details", () => {
    const body = { error: { code: "invalid_input", message: "input.text: expected a string", details: [{ path: "input.text", message: "expected a string" }, { path: "input.maxBullets", message: "expected a number at most 20" }] }, traceId: "t" };
    expect(errorFromBody(body, 400, "t").details).toEqual([
      { path: "input.text", message: "expected a string" },
      { path: "input.maxBullets", message: "expected a number at most 20" },
    ]);
  });

  it("reads Retry-After in any letter case", () => {
    const err = errorFromBody({ error: { code: "rate_limited", message: "slow down" }, traceId: "t" }, 429, "t", { "Retry-After": "17" });
    expect(err.retryAfter).toBe(17);
    expect(headerValue({ "X-Trace-Id": "a" }, "x-trace-id")).toBe("a");
  });

  it("a body that is not the error shape (a proxy's page) is http_error with the status and the client's traceId", () => {
    expect(errorFromBody("<html>Bad Gateway</html>", 502, "t-client")).toMatchObject({ code: "http_error", detail: "HTTP 502", traceId: "t-client", status: 502 });
    expect(errorFromBody(null, 0, "t-client")).toMatchObject({ code: "http_error", traceId: "t-client" });
  });
});
