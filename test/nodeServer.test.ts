// The web-function transport: what it reads of a body, and when it stops.
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness";

describe("nodeServer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
  });
  afterAll(() => h.close());

  it("answers 413 to an endless chunked body and stops reading it near the limit", async () => {
    const { port } = new URL(h.url);
    let written = 0;
    const outcome = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/mini/ask", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", (err) => (written > 0 ? undefined : reject(err)));
      const chunk = Buffer.alloc(16 * 1024, "a");
      const pump = () => {
        // Stops after 20 MB whatever happens, so a server that reads on cannot hang the test.
        while (!req.destroyed && written < 20 * 1024 * 1024) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body)).toMatchObject({ error: { code: "payload_too_large" } });
    // The limit is 64 KiB; socket buffers on both sides hold a few MB at most, never the 20 sent.
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  it("takes the client IP from the socket, or from the last hop of the proxy's header when told which, and says so once", async () => {
    const { createHttpServer, listen } = await import("../lib/http/nodeServer");
    const { jsonResponse } = await import("../lib/http/plain");
    const { recordingLogger } = await import("./support/recording");
    const echo = async (req: { clientIp?: string }) => jsonResponse(200, { ip: req.clientIp ?? null });
    for (const [options, sent, expected] of [
      [{}, "203.0.113.7, 10.0.0.1", /^(::ffff:)?127\.0\.0\.1$/],
      // The caller's own value comes first; the proxy appends the hop it saw.
      [{ clientIpHeader: "X-SCF-Remote-Addr" }, "203.0.113.7, 10.0.0.1", /^10\.0\.0\.1$/],
      [{ clientIpHeader: "x-scf-remote-addr" }, "198.51.100.9:53211", /^198\.51\.100\.9$/],
      [{ clientIpHeader: "x-scf-remote-addr" }, "not-an-address", null],
    ] as const) {
      const log = recordingLogger();
      const server = createHttpServer(echo, { ...options, logger: log.logger });
      const port = await listen(server, 0, "127.0.0.1");
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-scf-remote-addr": sent } });
        const { ip } = (await res.json()) as { ip: string | null };
        if (expected === null) expect(ip).toBeNull();
        else expect(ip).toMatch(expected);
      }
      const lines = log.lines.filter((l) => l.msg === "client address");
      if ("clientIpHeader" in options) expect(lines).toEqual([{ level: "info", msg: "client address", fields: { header: "x-scf-remote-addr", seen: sent, address: expected === null ? "unknown" : sent.split(",").at(-1)!.trim().split(":")[0] } }]);
      else expect(lines).toEqual([]);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("answers what node:http refuses itself (a 20 KB header) with the JSON error body and a trace id", async () => {
    const { port } = new URL(h.url);
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${"a".repeat(20_000)}\r\n\r\n`));
      let data = "";
      socket.on("data", (c: Buffer) => (data += c.toString()));
      socket.on("close", () => resolve(data));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toMatch(/X-Trace-Id: [\w-]+/);
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: { code: "headers_too_large" }, traceId: expect.any(String) });
  });

  it("answers 408 with the JSON error body when an upload stalls, instead of holding the connection", async () => {
    const { createHttpServer, listen } = await import("../lib/http/nodeServer");
    const { jsonResponse } = await import("../lib/http/plain");
    const server = createHttpServer(async () => jsonResponse(200, {}), { requestTimeoutMs: 500 });
    const port = await listen(server, 0, "127.0.0.1");
    try {
      const raw = await new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => socket.write("POST /v1/mini/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":"));
        let data = "";
        socket.on("data", (c: Buffer) => (data += c.toString()));
        socket.on("close", () => resolve(data));
      });
      expect(raw).toMatch(/^HTTP\/1\.1 408 /);
      expect(raw).toContain('"code":"request_timeout"');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

