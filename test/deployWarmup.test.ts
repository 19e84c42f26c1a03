// Why the deploy sends the warm-up timer instances x concurrency pings (lib/deploy/warmupPings.ts),
// checked on the project's own SCF instance model (scripts/burst/simulate.ts: a request goes to
// an instance with a free slot, one instance takes up to perInstanceConcurrency, idle ones are
// reclaimed after 5 minutes). The routing rule is that model's reading of doc 583/47183, not
// something SCF promises in detail: the sizing is right under it and over-warms, never
// under-warms, if SCF spreads requests wider.
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { warmupHandlerFor } from "../functions/warmup/index";
import { MAX_PINGS_PER_TARGET, warmupPings } from "../lib/deploy/warmupPings";
import { parseWarmupTargets } from "../lib/warmup/warmup";
import { DEFAULT_MODEL, type InstanceModel, type ReplayRequest } from "../scripts/burst/instanceModel";
import { simulate } from "../scripts/burst/simulate";
import { startFakeSsm } from "./support/fakeSsm";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const model: InstanceModel = { ...DEFAULT_MODEL, coldStartMs: [300], perInstanceConcurrency: 10 };
const EVERY_4_MINUTES = "0 */4 * * * * *";
// 20 minutes in, long after any instance the pings do not touch is reclaimed, a burst as large
// as three full instances, just after the timer's 20:00 firing.
const burst: ReplayRequest[] = Array.from({ length: 30 }, () => ({ at: T0 + 20 * 60_000 + 1_000, serviceMs: 1000 }));

const coldHits = (pings: number) => simulate(burst, { name: `${pings} pings`, warmup: { count: pings, cron: EVERY_4_MINUTES } }, model, { seed: 1, startMs: T0 }).outcomes.filter((o) => o.cold).length;

describe("warm-up pings under multiple concurrency", () => {
  it("one ping per instance keeps one instance of ten slots warm; instances x concurrency keep all of them", () => {
    const fn = { warmupCount: 3, concurrency: { max: model.perInstanceConcurrency } };
    expect(warmupPings(fn)).toBe(30);
    // The old count (3 pings): all three fit in one instance, the burst starts two cold.
    expect(coldHits(fn.warmupCount)).toBe(20);
    expect(coldHits(warmupPings(fn))).toBe(0);
  });

  it("the deploy's limit is the one the warm-up function parses its targets with", () => {
    const target = (count: number) => JSON.stringify([{ name: "summarize", url: "https://x.example.cn", count }]);
    expect(parseWarmupTargets(target(MAX_PINGS_PER_TARGET))[0]!.count).toBe(50);
    expect(() => parseWarmupTargets(target(MAX_PINGS_PER_TARGET + 1))).toThrow("MINIASK_WARMUP_TARGETS");
  });

  it("is one ping per instance at SCF's default of one request per instance", () => {
    expect(warmupPings({ warmupCount: 3 })).toBe(3);
    expect(warmupPings({ warmupCount: 0, concurrency: { max: 10 } })).toBe(0);
  });
});

describe("the warm-up function's key from SSM", () => {
  const KEY = "warmup-key-from-ssm-0123456789";

  it("reads an ssm: key with its role's credentials and sends the value, as the web functions compare it", async () => {
    const ssm = await startFakeSsm({ secrets: { "miniask-prod-warmup-key": { SSM_Current: KEY } } });
    const seen: IncomingHttpHeaders[] = [];
    const target = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" }).end('{"warm":true}');
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const written = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
      const env = { MINIASK_WARMUP_KEY: "ssm:miniask-prod-warmup-key", MINIASK_WARMUP_TARGETS: JSON.stringify([{ name: "summarize", url, count: 2 }]), ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint };
      const handler = await warmupHandlerFor(env);
      const { warmed } = await handler({ Type: "Timer", TriggerName: "warmup" });
      expect(warmed).toEqual([{ name: "summarize", ok: 2, failed: 0, ms: expect.any(Number) }]);
      expect(seen.map((h) => h["x-miniask-warmup-key"])).toEqual([KEY, KEY]);
      expect(ssm.calls.map((c) => [c.action, c.params.SecretName, c.error])).toEqual([["GetSecretValue", "miniask-prod-warmup-key", undefined]]);
      expect(written.mock.calls.map((c) => String(c[0])).join("")).not.toContain(KEY);
    } finally {
      written.mockRestore();
      await new Promise((resolve) => target.close(resolve));
      await ssm.close();
    }
  });

  it("without a role (no credentials from SCF) fails, naming what is missing; a plain key needs none", async () => {
    await expect(warmupHandlerFor({ MINIASK_WARMUP_KEY: "ssm:miniask-prod-warmup-key", TENCENTCLOUD_REGION: "ap-guangzhou" })).rejects.toThrow("TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY");
    const handler = await warmupHandlerFor({ MINIASK_WARMUP_KEY: KEY, MINIASK_WARMUP_TARGETS: "[]" });
    const written = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await handler({})).toEqual({ warmed: [] });
    } finally {
      written.mockRestore();
    }
  });
});
