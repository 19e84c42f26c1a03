// Which address the per-IP limit keys on: the hop SCF's front end appends, never the caller's own.
import { describe, expect, it } from "vitest";
import { clientAddressOf, logAddressOnce } from "../lib/limits/clientAddress";
import { createEventHandler, plainRequestOfEvent } from "../lib/http/scfEvent";
import { jsonResponse } from "../lib/http/plain";
import { recordingLogger } from "./support/recording";

describe("clientAddressOf", () => {
  it("takes the last hop, trimmed", () => {
    expect(clientAddressOf("203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddressOf("6.6.6.6, 203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddressOf("6.6.6.6,7.7.7.7 ,  203.0.113.7  ")).toBe("203.0.113.7");
  });
  it("drops a port, IPv4 or bracketed IPv6", () => {
    expect(clientAddressOf("203.0.113.7:51234")).toBe("203.0.113.7");
    expect(clientAddressOf("1.1.1.1, 203.0.113.7:1")).toBe("203.0.113.7");
    expect(clientAddressOf("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(clientAddressOf("[2001:db8::1]")).toBe("2001:db8::1");
    expect(clientAddressOf("2001:db8::1")).toBe("2001:db8::1");
    expect(clientAddressOf("::ffff:10.0.0.1")).toBe("::ffff:10.0.0.1");
  });
  it("is undefined for anything that is not an address (those share the unknown bucket)", () => {
    for (const raw of [undefined, "", " ", "unknown", "x1.2.3.4:80", "x[::1]:80", "[::1]:80x", "1.2.3.4:80x", "203.0.113.7, evil", "203.0.113.7:", "203.0.113.7:123456", "1.2.3.4.5", "[::1]:x", "a:b", "256.1.1.1", "[203.0.113.7]x"]) {
      expect(clientAddressOf(raw)).toBeUndefined();
    }
  });
});

describe("logAddressOnce", () => {
  it("writes one info line naming the header, what it held and the address taken, then nothing", () => {
    const log = recordingLogger();
    const note = logAddressOnce(log.logger);
    note("x-scf-remote-addr", "6.6.6.6, 203.0.113.7", "203.0.113.7");
    note("x-scf-remote-addr", "1.1.1.1", "1.1.1.1");
    expect(log.lines).toEqual([{ level: "info", msg: "client address", fields: { header: "x-scf-remote-addr", seen: "6.6.6.6, 203.0.113.7", address: "203.0.113.7" } }]);
  });
  it("says when the header was missing or unusable, and cuts a long value", () => {
    const a = recordingLogger();
    logAddressOnce(a.logger)("x-scf-remote-addr", undefined, undefined);
    expect(a.lines[0]!.fields).toEqual({ header: "x-scf-remote-addr", seen: null, address: "unknown" });
    const b = recordingLogger();
    logAddressOnce(b.logger)("x-scf-remote-addr", "x".repeat(500), undefined);
    expect(b.lines[0]!.fields!.seen).toBe("x".repeat(200));
  });
  it("does nothing without a logger", () => {
    expect(() => logAddressOnce(undefined)("h", "1.1.1.1", "1.1.1.1")).not.toThrow();
  });
});

describe("the SCF event transport's client address", () => {
  const event = (headers: Record<string, string>, requestContext?: Record<string, string>) => ({ httpMethod: "POST", path: "/x", headers, body: "{}", ...(requestContext ? { requestContext } : {}) });
  it("a Function URL event: the last hop of x-scf-remote-addr, port dropped", () => {
    expect(plainRequestOfEvent(event({ "X-SCF-Remote-Addr": "6.6.6.6, 203.0.113.7:40000" }), {}).clientIp).toBe("203.0.113.7");
    expect(plainRequestOfEvent(event({ "x-scf-remote-addr": "forged-by-client" }), {}).clientIp).toBeUndefined();
    expect(plainRequestOfEvent(event({}), {}).clientIp).toBeUndefined();
  });
  it("an API Gateway event: requestContext.sourceIp, whatever the header says", () => {
    expect(plainRequestOfEvent(event({ "x-scf-remote-addr": "6.6.6.6" }, { sourceIp: "10.0.2.14" }), {}).clientIp).toBe("10.0.2.14");
  });
  it("main_handler logs the address once per instance, naming the header", async () => {
    const log = recordingLogger();
    const seen: (string | undefined)[] = [];
    const handler = createEventHandler(async (req) => (seen.push(req.clientIp), jsonResponse(200, {})), { logger: log.logger });
    await handler(event({ "x-scf-remote-addr": "6.6.6.6, 203.0.113.7" }), {});
    await handler(event({}, { sourceIp: "10.0.2.14" }), {});
    expect(seen).toEqual(["203.0.113.7", "10.0.2.14"]);
    expect(log.lines).toEqual([{ level: "info", msg: "client address", fields: { header: "x-scf-remote-addr", seen: "6.6.6.6, 203.0.113.7", address: "203.0.113.7" } }]);
    const other = recordingLogger();
    await createEventHandler(async () => jsonResponse(200, {}), { logger: other.logger })(event({}, { sourceIp: "10.0.2.14" }), {});
    expect(other.lines[0]!.fields).toEqual({ header: "requestContext.sourceIp", seen: "10.0.2.14", address: "10.0.2.14" });
  });
});
