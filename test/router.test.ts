// One wrapper for every route: a trace id on every response, one catch, one log line.
import { describe, expect, it } from "vitest";
import { AppError } from "../lib/appError";
import type { PlainRequest } from "../lib/http/plain";
import { jsonResponse } from "../lib/http/plain";
import { createRouter } from "../lib/http/router";
import { createLogger } from "../lib/observability/logger";

const request = (method: string, path: string, headers: Record<string, string> = {}): PlainRequest => ({ method, path, headers, body: Buffer.alloc(0) });

function router() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("debug", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const handle = createRouter(
    {
      "GET /ok": async (_req, ctx) => {
        ctx.note({ userId: "u_1" });
        return jsonResponse(200, { traceId: ctx.traceId });
      },
      "POST /refused": async () => {
        throw new AppError(403, "nope", "not for you");
      },
      "POST /broken": async () => {
        throw new TypeError("cannot read properties of undefined (secret stuff)");
      },
      "POST /adopts": async (_req, ctx) => {
        ctx.traceId = "from-body";
        throw new TypeError("late failure");
      },
    },
    { logger, env: "dev", logAs: { "GET /ok": "ok", "POST /refused": "refused", "POST /broken": "broken", "POST /adopts": "adopts" }, newTraceId: () => "new-id" },
  );
  return { handle, lines };
}

describe("createRouter", () => {
  it("gives the handler the caller's trace id and writes one line with what it noted", async () => {
    const { handle, lines } = router();
    const res = await handle(request("GET", "/ok", { "x-trace-id": "t-1" }));
    expect(JSON.parse(res.body)).toEqual({ traceId: "t-1" });
    expect(lines).toEqual([expect.objectContaining({ msg: "ok", traceId: "t-1", env: "dev", userId: "u_1", status: 200, ms: expect.any(Number) })]);
  });

  it("turns an AppError into its JSON body, with the trace id, and logs its code", async () => {
    const { handle, lines } = router();
    const res = await handle(request("POST", "/refused"));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "nope", message: "not for you" }, traceId: "new-id" });
    expect(res.headers["x-trace-id"]).toBe("new-id");
    expect(lines).toEqual([expect.objectContaining({ msg: "refused", status: 403, code: "nope" })]);
  });

  it("answers an unexpected error 500 with the request's trace id and no details", async () => {
    const { handle, lines } = router();
    const res = await handle(request("POST", "/broken", { "x-trace-id": "t-2" }));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "internal_error", message: "internal error" }, traceId: "t-2" });
    expect(res.body).not.toContain("secret");
    expect(lines.map((l) => l.msg)).toEqual(["unexpected error", "broken"]);
    expect(lines[1]).toMatchObject({ traceId: "t-2", status: 500, code: "internal_error" });
  });

  it("keeps a trace id the handler adopted from its body", async () => {
    const { handle } = router();
    const res = await handle(request("POST", "/adopts"));
    expect(JSON.parse(res.body).traceId).toBe("from-body");
  });

  it("answers unknown routes 404 and wrong methods 405 with Allow, as JSON", async () => {
    const { handle, lines } = router();
    expect((await handle(request("GET", "/nowhere"))).status).toBe(404);
    const wrong = await handle(request("GET", "/refused/"));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: "method_not_allowed" }, traceId: "new-id" });
    expect(lines).toEqual([]);
  });
});
