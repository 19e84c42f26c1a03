// The web-function transport: what it reads of a body, and when it stops.
import { request } from "node:http";
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

  it("takes the client IP from the socket, or from the proxy's header when told which", async () => {
    const { createHttpServer, listen } = await import("../lib/http/nodeServer");
    const { jsonResponse } = await import("../lib/http/plain");
    const echo = async (req: { clientIp?: string }) => jsonResponse(200, { ip: req.clientIp });
    for (const [options, expected] of [
      [{}, "127.0.0.1"],
      [{ clientIpHeader: "x-scf-remote-addr" }, "203.0.113.7"],
    ] as const) {
      const server = createHttpServer(echo, options);
      const port = await listen(server, 0, "127.0.0.1");
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-scf-remote-addr": "203.0.113.7, 10.0.0.1" } });
      expect(((await res.json()) as { ip: string }).ip).toMatch(new RegExp(`^(::ffff:)?${expected.replaceAll(".", "\\.")}$`));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
