// `npx tsx scripts/report/measureAuditMemory.ts [--requests 10000] [--env prod|staging]
//   [--store redis://127.0.0.1:6379] [--concurrency 20]`: what a request leaves in Redis and in
// the log (CLS). Sends N /v1/mini/ask requests (different users, different inputs: no cache hit,
// no refusal) through the local app (the same createProcessApp as npm start, real HTTP) on a real
// Redis under a prefix of its own, then sums Redis's MEMORY USAGE of every key under that prefix,
// by kind, with each kind's TTL, and the bytes of log output per request. Keys are removed after.
// Fixtures as the bench uses them: the local upstream, and the WeChat stand-in for prod's content
// security. Numbers are noisy on a loaded machine only in time, not in bytes.
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { issueAppToken } from "../../lib/auth/appToken";
import { parseTokenKeys } from "../../lib/auth/tokenKeys";
import { loadConfig } from "../../lib/config/loadConfig";
import { readConfigFiles } from "../../lib/config/readConfigFiles";
import { sealOpenid } from "../../lib/contentSecurity/openidSeal";
import { createHttpServer, listen } from "../../lib/http/nodeServer";
import { INTENTS } from "../../lib/intents/registry";
import { createProcessApp } from "../../lib/runtime/createProcessApp";
import { FAKE_APPID, FAKE_SECRET, startFakeWechat } from "../../test/support/fakeWechat";
import { dropKeys } from "../bench/dropKeys";
import { extractRequests } from "../bench/extractRequest";
import { ROOT, startUpstream, stop } from "../bench/processes";
import { type Flags, numberFlag, readFlags, stringFlag } from "../burst/flags";

const KEYS = "measure:measure-token-secret-of-at-least-32-bytes";

interface KindUsage {
  keys: number;
  bytes: number;
  maxTtlSeconds: number;
}

/** MEMORY USAGE (SAMPLES 0: every element counted) and TTL of each key under `prefix`, by kind. */
export async function memoryByKind(redis: Redis, prefix: string): Promise<Map<string, KindUsage>> {
  const kinds = new Map<string, KindUsage>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", "0").ttl(key);
    const answers = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = key.slice(prefix.length).split(":")[0] ?? "?";
      const usage = kinds.get(kind) ?? { keys: 0, bytes: 0, maxTtlSeconds: -1 };
      usage.keys += 1;
      usage.bytes += Number(answers[2 * i]?.[1] ?? 0);
      usage.maxTtlSeconds = Math.max(usage.maxTtlSeconds, Number(answers[2 * i + 1]?.[1] ?? -1));
      kinds.set(kind, usage);
    });
  } while (cursor !== "0");
  return kinds;
}

async function sendRequests(url: string, n: number, concurrency: number, envName: "prod" | "staging"): Promise<Record<string, number>> {
  const keys = parseTokenKeys(KEYS, envName);
  const { input } = extractRequests(200);
  const statuses: Record<string, number> = {};
  let next = 0;
  // Ten requests a user: under every per-user limit of staging and prod.
  const tokens = new Map<number, string>();
  const tokenOf = async (user: number) => tokens.get(user) ?? (await issueAppToken(keys, envName, `u_measure_${user}`, 600, undefined, await sealOpenid(`o_measure_${user}`, keys.signing.secret))).token;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const user = Math.floor(i / 10);
        const token = await tokenOf(user);
        tokens.set(user, token);
        const res = await fetch(`${url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ intent: "extract", userId: `u_measure_${user}`, input: input(i) }) });
        const body = await res.text();
        if (res.status !== 200 && !statuses[res.status]) console.error(`first ${res.status}: ${body.slice(0, 300)}`);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

export async function measure(flags: Flags) {
  const n = numberFlag(flags, "requests", 10_000);
  const envName = stringFlag(flags, "env") === "staging" ? "staging" : "prod";
  const storeUrl = stringFlag(flags, "store") ?? "redis://127.0.0.1:6379";
  const prefix = `measure:${Date.now()}:`;
  const up = await startUpstream(0);
  const wechat = await startFakeWechat({ openids: Array.from({ length: Math.ceil(n / 10) }, (_, u) => `o_measure_${u}`) });
  const logBytes: Record<string, number> = {};
  const processEnv = { MINIASK_ENV: envName, MINIASK_STORE: storeUrl, MINIASK_STORE_PREFIX: prefix, MINIASK_STORE_TIMEOUT_MS: "2000", MINIASK_UPSTREAM_URL: up.url, MINIASK_TOKEN_KEYS: KEYS, HUNYUAN_API_KEY: "x", DASHSCOPE_API_KEY: "x", DEEPSEEK_API_KEY: "x", WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET, WECHAT_API_BASE: wechat.url };
  const built = createProcessApp({
    processEnv,
    config: loadConfig(readConfigFiles(ROOT)),
    intents: INTENTS,
    logWrite: (line) => {
      const msg = String((JSON.parse(line) as { msg?: unknown }).msg);
      logBytes[msg] = (logBytes[msg] ?? 0) + Buffer.byteLength(line) + 1;
    },
  });
  const server = createHttpServer(built.app.handle);
  const redis = new Redis(storeUrl, { lazyConnect: true });
  try {
    await listen(server, 0, "127.0.0.1");
    const statuses = await sendRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, n, numberFlag(flags, "concurrency", 20), envName);
    await redis.connect();
    const kinds = await memoryByKind(redis, prefix);
    return { env: envName, requests: n, statuses, prefix, kinds: Object.fromEntries(kinds), logBytes };
  } finally {
    server.close();
    redis.disconnect();
    await built.app.store.close();
    await wechat.close();
    stop(up.child);
    await dropKeys(storeUrl, prefix);
  }
}

/**
 * Prices are settings (they change): defaults are the STANDARD storage prices of Tencent's CLS
 * billing example (tencentcloud.com/document/product/614/68614, USD, read 2026-12-02); logs are
 * written compressed about 1:4, the index counts raw bytes (that page's assumptions).
 */
export function clsCostPerDay(logBytesPerRequest: number, requestsPerDay: number, retentionDays: number, flags: Flags) {
  const rawGb = (logBytesPerRequest * requestsPerDay) / 1024 ** 3;
  const compression = numberFlag(flags, "cls-compression", 4);
  const write = (rawGb / compression) * numberFlag(flags, "cls-write-usd-per-gb", 0.032);
  const index = rawGb * numberFlag(flags, "cls-index-usd-per-gb", 0.062);
  // Steady state: retentionDays days of logs and of their index stored at once.
  const storage = (rawGb / compression + rawGb) * retentionDays * numberFlag(flags, "cls-storage-usd-per-gb-day", 0.0024);
  return { rawGbPerDay: rawGb, storedGb: (rawGb / compression + rawGb) * retentionDays, usdPerDay: write + index + storage };
}

function print(result: Awaited<ReturnType<typeof measure>>, flags: Flags): void {
  const per = (bytes: number) => (bytes / result.requests).toFixed(1);
  console.log(`${result.requests} requests in ${result.env} (statuses ${JSON.stringify(result.statuses)}), keys under "${result.prefix}"`);
  console.log("kind      keys     MEMORY USAGE bytes  bytes/request  longest TTL");
  let total = 0;
  for (const [kind, u] of Object.entries(result.kinds).sort()) {
    total += u.bytes;
    console.log(`${kind.padEnd(8)}${String(u.keys).padStart(6)}${String(u.bytes).padStart(20)}${per(u.bytes).padStart(15)}  ${u.maxTtlSeconds < 0 ? "none" : `${(u.maxTtlSeconds / 86_400).toFixed(2)} days`}`);
  }
  console.log(`${"all".padEnd(8)}${"".padStart(6)}${String(total).padStart(20)}${per(total).padStart(15)}`);
  const logTotal = Object.values(result.logBytes).reduce((s, b) => s + b, 0);
  console.log(`log output: ${per(logTotal)} bytes/request (${Object.entries(result.logBytes).map(([m, b]) => `${m} ${per(b)}`).join(", ")})`);
  const perDay = numberFlag(flags, "per-day", 1_000_000);
  const audit = result.kinds.audit;
  if (audit) {
    const ttlDays = Math.round(audit.maxTtlSeconds / 86_400);
    console.log(`at ${perDay} requests a day, audit keys alone hold ${((audit.bytes / result.requests) * perDay * ttlDays / 1024 ** 3).toFixed(1)} GB of Redis in steady state (${ttlDays}-day TTL)`);
  }
  const cls = clsCostPerDay(logTotal / result.requests, perDay, numberFlag(flags, "retention-days", 180), flags);
  console.log(`CLS at ${perDay} requests a day: ${cls.rawGbPerDay.toFixed(2)} GB of log lines a day, ${cls.storedGb.toFixed(0)} GB stored (logs + index) over the retention, about ${cls.usdPerDay.toFixed(2)} USD a day`);
}

if (process.argv[1]?.endsWith("measureAuditMemory.ts")) {
  const flags = readFlags(process.argv.slice(2));
  measure(flags).then(
    (result) => {
      print(result, flags);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`measureAuditMemory: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
