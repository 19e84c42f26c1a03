// What waiting for the record step costs a whole answer (issue 24: nothing may depend on an
// instance running after its response, so the quota, cache write and audit record are in the
// store before the answer goes out). Two servers over the same real Redis and local upstream:
// "before" answers first and records after (its store's record() returns at once and writes in
// the background, as the web functions did), "after" is the code as it is. Sequential whole
// /ask calls, each a cache miss, alternating between the two so machine load hits both alike.
//   npx tsx scripts/recordCost.ts [requests=200] [redis://127.0.0.1:6379]
import { randomUUID } from "node:crypto";
import { issueAppToken } from "../lib/auth/appToken";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { INTENTS } from "../lib/intents/registry";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";
import { median, percentile, round } from "./bench/stats";
import { startLocalUpstream } from "./local-upstream/server";

const requests = Number(process.argv[2] ?? 200);
const redisUrl = process.argv[3] ?? "redis://127.0.0.1:6379";
const root = new URL("..", import.meta.url).pathname;

async function server(store: Store, upstreamUrl: string) {
  const built = createProcessApp({
    processEnv: { MINIASK_ENV: "dev", MINIASK_STORE_PREFIX: `bench:record:${randomUUID()}:`, MINIASK_STORE_TIMEOUT_MS: "2000" },
    config: loadConfig(readConfigFiles(root)),
    intents: INTENTS,
    upstreamOverride: { baseUrl: upstreamUrl },
    store,
    logWrite: () => undefined,
  });
  const http = createHttpServer(built.app.handle);
  const port = await listen(http, 0, "127.0.0.1");
  return { url: `http://127.0.0.1:${port}`, tokenKeys: built.tokenKeys, close: () => new Promise<void>((r) => http.close(() => r())) };
}

const upstream = await startLocalUpstream();
const redis = createRedisStore(redisUrl);
const pending = new Set<Promise<unknown>>();
// The old web-function behaviour: record() resolves at once, the write runs after the answer.
const recordAfter: Store = { ...redis, record: async (request) => (pending.add(redis.record(request)), { totals: [] }) };
const servers = { before: await server(recordAfter, upstream.url), after: await server(redis, upstream.url) };
const samples: Record<keyof typeof servers, number[]> = { before: [], after: [] };

for (let i = 0; i < requests * 2; i++) {
  const mode = i % 2 === 0 ? "before" : "after";
  const s = servers[mode];
  const userId = `u_bench_${i % 50}`;
  const { token } = await issueAppToken(s.tokenKeys, "dev", userId, 600);
  const started = performance.now();
  const res = await fetch(`${s.url}/v1/mini/ask`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    // summarize_v2 (dev): a refining profile, so the refine job's store write is in both.
    body: JSON.stringify({ intent: "summarize", userId, input: { text: `Request ${i} ${randomUUID()}. Tea is a drink. Coffee is another one.`, maxBullets: 2 } }),
  });
  await res.arrayBuffer();
  if (i >= 20) samples[mode].push(performance.now() - started); // the first ten of each warm up
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}
await Promise.all(pending);
const row = (xs: number[]) => `p50 ${round(median(xs))} ms, p95 ${round(percentile(xs, 95))} ms, mean ${round(xs.reduce((a, b) => a + b, 0) / xs.length)} ms`;
console.log(`whole /ask (dev, summarize_v2, Redis ${redisUrl}, local upstream), ${samples.after.length} requests each, sequential:`);
console.log(`  before (record after the response): ${row(samples.before)}`);
console.log(`  after  (record before the response): ${row(samples.after)}`);
console.log(`  cost: p50 +${round(median(samples.after) - median(samples.before))} ms, p95 +${round(percentile(samples.after, 95) - percentile(samples.before, 95))} ms`);
await servers.before.close();
await servers.after.close();
await upstream.close();
await redis.close();
