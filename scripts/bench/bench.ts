// `npm run bench [-- --only overhead,oneconnection,clients,burst,coldstart,memory --json FILE ...]`
// (every option: BENCH_COMMAND below, or npm run bench -- --help).
// Everything on loopback, every subject its own process: the local upstream (answering at once,
// or after 50 ms), the floor forwarder (floorForwarder.ts: the least a Node gateway does) and
// the built function bundles, started as scf_bootstrap starts them.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueAppToken } from "../../lib/auth/appToken";
import { parseTokenKeys } from "../../lib/auth/tokenKeys";
import { sealOpenid } from "../../lib/contentSecurity/openidSeal";
import { FAKE_APPID, FAKE_SECRET, startFakeWechat } from "../../test/support/fakeWechat";
import { buildFunctions, type BuiltFunction } from "../build";
import { coldClientCost, warmClientCost } from "./clientCost";
import { dropKeys } from "./dropKeys";
import { extractRequests } from "./extractRequest";
import { measureFirstByte } from "./firstByte";
import { type MeasuredRow, compareToFloor } from "./floorRatios";
import { type LoadResult, runLoad } from "./load";
import { addedOver, measureOneConnection } from "./oneConnection";
import { ROOT, cpuUs, rssMb, spawnUntil, startBundle, startFloor, startUpstream, stop } from "./processes";
import { median, percentile, round } from "./stats";
import { commandLine, defineCommand, reportUsageError, UsageError } from "../support/cli";
import { createProgress } from "../support/progress";
import { table } from "./table";

const SECTIONS = ["overhead", "oneconnection", "clients", "burst", "coldstart", "memory"] as const;
const BENCH_COMMAND = defineCommand({
  command: "npm run bench --",
  summary: "Builds the functions, then measures them on loopback, each subject its own process (the local upstream, the floor forwarder, the built bundles as scf_bootstrap starts them): gateway overhead, one connection, model clients, bursts, cold starts, memory. Takes minutes; numbers are noisy on a shared machine.",
  options: {
    only: { type: "string", value: "SECTION,...", default: "overhead,oneconnection,clients,burst,coldstart", description: `the sections to run, comma-separated (of ${SECTIONS.join(", ")})` },
    connections: { type: "number", default: 10, description: "concurrent connections of each load row" },
    duration: { type: "number", value: "SECONDS", default: 2, description: "seconds of load per row" },
    warmup: { type: "number", value: "SECONDS", default: 0.5, description: "unmeasured load before each row (JIT warm-up)" },
    payload: { type: "number", value: "BYTES", default: 200, description: "the extract request's text size" },
    "cold-runs": { type: "number", default: 5, description: "fresh processes per cold-start row (the median is shown)" },
    "one-connection-requests": { type: "number", default: 1000, description: "sequential requests per subject in the one-connection section" },
    "client-calls": { type: "number", default: 400, description: "sequential calls per model client in the clients section" },
    "memory-requests": { type: "number", default: 100_000, description: "requests the memory section sends" },
    // memory, or a redis:// URL: with Redis (as staging and prod run) the process holds no audit records or cache entries of its own.
    "memory-store": { type: "string", value: "memory|redis://HOST:PORT", default: "memory", description: "the store of the memory section's process" },
    json: { type: "string", value: "FILE", description: "also write every figure as JSON to FILE" },
  },
});

const { values } = commandLine(BENCH_COMMAND);
const CONNECTIONS = values.connections;
const DURATION = values.duration;
const PAYLOAD = values.payload;
const COLD_RUNS = values["cold-runs"];
const MEMORY_REQUESTS = values["memory-requests"];
const MEMORY_STORE = values["memory-store"];
const WARMUP = values.warmup;
const ONE_CONNECTION_REQUESTS = values["one-connection-requests"];
const CLIENT_CALLS = values["client-calls"];
const JSON_FILE = values.json;
const ONLY = values.only.split(",").filter(Boolean);
const unknownSection = ONLY.find((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknownSection !== undefined) process.exit(reportUsageError(BENCH_COMMAND, new UsageError(`--only: unknown section "${unknownSection}" (sections: ${SECTIONS.join(", ")})`)));
// The build, then each section: each row's figures replace the line as they come.
const progress = createProgress("bench", ONLY.length + 1, "steps");

const TEST_KEYS = "bench:bench-token-secret-of-at-least-32-bytes";
const extractRequest = extractRequests(PAYLOAD);
const { filler, directBody, askBody } = extractRequest;
const extractInput = extractRequest.input;
const devToken = async (userId: string) => (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", userId, 3600)).token;

async function overhead(built: BuiltFunction[]) {
  const dir = (name: string) => built.find((b) => b.name === name)!.dir;
  const users = await Promise.all(Array.from({ length: 1000 }, async (_, u) => ({ id: `u_${u}`, token: await devToken(`u_${u}`) })));
  const json = { "content-type": "application/json" };
  const auth = { ...json, authorization: `Bearer ${await devToken("u_bench")}` };
  const rows: (MeasuredRow & { result: LoadResult })[] = [];
  // `pid`: the process that answers the row (upstream, floor or function), whose CPU is read around the measured load.
  const load = async (row: Pick<MeasuredRow, "name" | "kind" | "delayMs">, pid: number | undefined, url: string, headers: Record<string, string>, body: (i: number) => string, headersOf?: (i: number) => Record<string, string>) => {
    const extra = headersOf ? { headersOf } : {};
    if (WARMUP > 0) await runLoad({ url, connections: CONNECTIONS, durationSeconds: WARMUP, headers, body: (i) => body(i + 1_000_000), ...extra }); // JIT warm-up, not measured
    const cpuBefore = cpuUs(pid);
    const result = await runLoad({ url, connections: CONNECTIONS, durationSeconds: DURATION, headers, body, ...extra });
    const cpuUsPerRequest = round((cpuUs(pid) - cpuBefore) / Math.max(1, result.requests), 0);
    rows.push({ ...row, rps: result.rps, p50: result.p50, p90: result.p90, p99: result.p99, cpuUsPerRequest, result });
    progress.status(`${row.name}: ${result.rps} req/s, p50 ${result.p50} ms, ${cpuUsPerRequest} µs CPU a request`);
    return result;
  };
  const withServer = async <T>(env: Record<string, string>, run: (url: string, pid: number | undefined) => Promise<T>, intent = "extract") => {
    const server = await startBundle(dir(intent), env);
    try {
      return await run(server.url, server.child.pid);
    } finally {
      stop(server.child);
    }
  };
  const [up0, up50] = await Promise.all([startUpstream(0), startUpstream(50)]);
  const [floor0, floor50] = await Promise.all([startFloor(up0.url), startFloor(up50.url)]);
  const plain = (up: { url: string }) => ({ MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up.url, MINIASK_RATE_LIMITS: "off" });
  try {
    const direct = await load({ name: "upstream direct (0 ms)", kind: "direct", delayMs: 0 }, up0.child.pid, `${up0.url}/chat/completions`, json, (i) => directBody(i));
    const floor = await load({ name: "floor: minimal Node forwarder (0 ms)", kind: "floor", delayMs: 0 }, floor0.child.pid, `${floor0.url}/`, json, (i) => directBody(i));
    const through = await withServer(plain(up0), (url, pid) => load({ name: "/v1/mini/ask, memory (0 ms)", kind: "subject", delayMs: 0 }, pid, `${url}/v1/mini/ask`, auth, (i) => askBody(i)));

    // Limits on, across 1000 users (each request its user's token) so none is refused: the admit
    // script and the record step run on every request.
    const userOf = (i: number) => users[i % users.length]!;
    for (const [name, store] of [
      ["/v1/mini/ask, memory, limits on (0 ms)", "memory"],
      ["/v1/mini/ask, redis, limits on (0 ms)", "redis://127.0.0.1:6379"],
    ] as const) {
      const prefix = `bench:${Date.now()}:`;
      await withServer({ MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up0.url, MINIASK_STORE: store, MINIASK_STORE_PREFIX: prefix }, (url, pid) =>
        load({ name, kind: "subject", delayMs: 0 }, pid, `${url}/v1/mini/ask`, json, (i) => askBody(i, userOf(i).id), (i) => ({ authorization: `Bearer ${userOf(i).token}` })),
      );
      if (store.startsWith("redis://")) await dropKeys(store, prefix);
    }

    await load({ name: "upstream direct (50 ms)", kind: "direct", delayMs: 50 }, up50.child.pid, `${up50.url}/chat/completions`, json, (i) => directBody(i));
    await load({ name: "floor: minimal Node forwarder (50 ms)", kind: "floor", delayMs: 50 }, floor50.child.pid, `${floor50.url}/`, json, (i) => directBody(i));
    await withServer(plain(up50), (url, pid) => load({ name: "/v1/mini/ask, memory (50 ms)", kind: "subject", delayMs: 50 }, pid, `${url}/v1/mini/ask`, auth, (i) => askBody(i)));

    const same = JSON.stringify({ intent: "summarize", userId: "u_bench", input: { text: filler, maxBullets: 3 } });
    await withServer(
      plain(up0),
      async (url, pid) => {
        await (await fetch(`${url}/v1/mini/ask`, { method: "POST", headers: auth, body: same })).arrayBuffer();
        await load({ name: "cache hit (memory)", kind: "subject", delayMs: 0 }, pid, `${url}/v1/mini/ask`, auth, () => same);
      },
      "summarize",
    );

    const stagingToken = (await issueAppToken(parseTokenKeys(TEST_KEYS, "staging"), "staging", "u_bench", 3600)).token;
    await withServer({ MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_UPSTREAM_URL: up0.url, MINIASK_TOKEN_KEYS: TEST_KEYS }, (url, pid) =>
      load({ name: "429 refusal (memory)", kind: "subject", delayMs: 0 }, pid, `${url}/v1/mini/ask`, { ...json, authorization: `Bearer ${stagingToken}` }, (i) => askBody(i)),
    );

    const count = Math.max(50, Math.round(DURATION * 100));
    const streamDirect = await measureFirstByte({ url: `${up0.url}/chat/completions`, headers: json, body: (i) => directBody(i, true), marker: '"content":"', count });
    const streamThrough = await withServer(plain(up0), (url) =>
      measureFirstByte({ url: `${url}/v1/mini/ask`, headers: { ...auth, accept: "text/event-stream" }, body: (i) => JSON.stringify({ intent: "extract", userId: "u_bench", input: extractInput(i), stream: true }), marker: "event: delta", count }),
    );
    return {
      rows: compareToFloor(rows),
      statuses: Object.fromEntries(rows.map(({ name, result }) => [name, result.statuses])),
      overhead: { p50: round(through.p50 - direct.p50, 3), p99: round(through.p99 - direct.p99, 3) },
      throughputRatio: round(through.rps / direct.rps, 3),
      floor: { name: "floor: minimal Node forwarder (0 ms)", rps: floor.rps, p50: floor.p50, p90: floor.p90, p99: floor.p99, vsDirect: round(floor.rps / direct.rps, 3), overDirect: { p50: round(floor.p50 - direct.p50, 3), p99: round(floor.p99 - direct.p99, 3) } },
      throughputVsFloor: round(through.rps / floor.rps, 3),
      overFloor: { p50: round(through.p50 - floor.p50, 3), p99: round(through.p99 - floor.p99, 3) },
      streamFirstByte: { upstream: streamDirect, through: streamThrough, overhead: { p50: round(streamThrough.p50 - streamDirect.p50, 3), p99: round(streamThrough.p99 - streamDirect.p99, 3) } },
    };
  } finally {
    stop(up0.child, up50.child, floor0.child, floor50.child);
  }
}

// Sequential requests on one kept-alive socket each: upstream direct, the floor forwarder and
// miniask's plain path (extract, limits off), all on the same upstream.
async function oneConnection(built: BuiltFunction[]) {
  const up = await startUpstream(0);
  const floor = await startFloor(up.url);
  const server = await startBundle(built.find((b) => b.name === "extract")!.dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up.url, MINIASK_RATE_LIMITS: "off" });
  const json = { "content-type": "application/json" };
  try {
    const rows = await measureOneConnection(
      [
        { name: "upstream direct", url: `${up.url}/chat/completions`, headers: json, body: (i) => directBody(i) },
        { name: "floor: minimal Node forwarder", url: `${floor.url}/`, headers: json, body: (i) => directBody(i), pid: floor.child.pid },
        { name: "miniask /v1/mini/ask (extract, limits off)", url: `${server.url}/v1/mini/ask`, headers: { ...json, authorization: `Bearer ${await devToken("u_bench")}` }, body: (i) => askBody(i), pid: server.child.pid },
      ],
      { requests: ONE_CONNECTION_REQUESTS, warmup: Math.min(200, ONE_CONNECTION_REQUESTS) },
    );
    return { requests: ONE_CONNECTION_REQUESTS, rows, addedOverDirect: addedOver(rows, "upstream direct") };
  } finally {
    stop(server.child, floor.child, up.child);
  }
}

async function clients() {
  const up = await startUpstream(0);
  try {
    const warm = await warmClientCost(up.url, extractRequest.chat, { calls: CLIENT_CALLS, workers: CONNECTIONS, seconds: Math.max(0.5, DURATION / 2) });
    const cold = await coldClientCost(up.url, extractRequest.chat(1), COLD_RUNS);
    return { warm, cold };
  } finally {
    stop(up.child);
  }
}

// Prod as deployed: content_security is on there (WeChat's msgSecCheck on the input and on the
// answer, on_unavailable closed), so the subject gets an AppID and secret and a local stand-in for
// api.weixin.qq.com (test/support/fakeWechat.ts, written from WeChat's docs), and every user's
// token carries a sealed openid the stand-in counts as having visited, as a login would.
async function burst(built: BuiltFunction[]) {
  const up = await startUpstream(0);
  const wechat = await startFakeWechat({ openids: Array.from({ length: 200 }, (_, u) => `o_burst_${u}`) });
  const results = [];
  try {
    for (const [users, each] of [
      [200, 10],
      [100, 20],
    ] as const) {
      const server = await startBundle(built.find((b) => b.name === "extract")!.dir, { MINIASK_ENV: "prod", MINIASK_STORE: "memory", MINIASK_UPSTREAM_URL: up.url, MINIASK_TOKEN_KEYS: TEST_KEYS, HUNYUAN_API_KEY: "x", DASHSCOPE_API_KEY: "x", DEEPSEEK_API_KEY: "x", WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET, WECHAT_API_BASE: wechat.url });
      const keys = parseTokenKeys(TEST_KEYS, "prod");
      const checksBefore = wechat.secCheckCalls.length;
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      let lost = 0;
      let refusalsWithoutRetryAfter = 0;
      // All users at once, each sending its requests back to back (prod: 10 per minute per intent).
      await Promise.all(
        Array.from({ length: users }, async (_, u) => {
          const token = (await issueAppToken(keys, "prod", `u_burst_${u}`, 600, undefined, await sealOpenid(`o_burst_${u}`, keys.signing.secret))).token;
          for (let n = 0; n < each; n++) {
            const started = performance.now();
            try {
              const res = await fetch(`${server.url}/v1/mini/ask`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
                body: JSON.stringify({ intent: "extract", userId: `u_burst_${u}`, input: extractInput(u * 100 + n) }),
              });
              await res.arrayBuffer();
              latencies.push(performance.now() - started);
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
              if (res.status === 429 && !res.headers.get("retry-after")) refusalsWithoutRetryAfter++;
            } catch {
              lost++;
            }
          }
        }),
      );
      stop(server.child);
      const fiveXX = Object.entries(statuses).filter(([s]) => s.startsWith("5")).reduce((sum, [, n]) => sum + n, 0);
      results.push({ scenario: `${users * each} requests from ${users} users`, answered: latencies.length, lost, fiveXX, admitted: statuses["200"] ?? 0, refused429: statuses["429"] ?? 0, refusalsWithoutRetryAfter, contentChecks: wechat.secCheckCalls.length - checksBefore, p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) });
    }
  } finally {
    stop(up.child);
    await wechat.close();
  }
  return results;
}

async function coldStart(built: BuiltFunction[]) {
  const up = await startUpstream(0);
  const token = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_cold", 3600)).token;
  const bodies: Record<string, string> = {
    summarize: JSON.stringify({ intent: "summarize", userId: "u_cold", input: { text: filler, maxBullets: 2 } }),
    support: JSON.stringify({ intent: "support", userId: "u_cold", input: { question: "How do I reset my password?" } }),
    recommend: JSON.stringify({ intent: "recommend", userId: "u_cold", input: { items: ["tea", "coffee"] } }),
    extract: JSON.stringify({ intent: "extract", userId: "u_cold", input: extractInput(1) }),
  };
  const firstAnswer = async (url: string, name: string) => {
    const body = bodies[name];
    const res = await fetch(body ? `${url}/v1/mini/ask` : `${url}/healthz`, body ? { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body } : {});
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${name}: first request answered ${res.status}`);
  };
  // Spawn to first answer of a bare Node HTTP server whose handler is `answer` (the reference,
  // measured the same way in the same run).
  const bareServer = async (answer: string) => {
    const started = performance.now();
    const script = `require("http").createServer((q,s)=>${answer}).listen(0,function(){console.log(JSON.stringify({msg:"listening",port:this.address().port}))})`;
    const { child, line } = await spawnUntil(process.execPath, ["-e", script], { UPSTREAM: up.url }, (l) => l.msg === "listening");
    await (await fetch(`http://127.0.0.1:${String(line.port)}/`)).arrayBuffer();
    stop(child);
    return performance.now() - started;
  };
  const bare: number[] = [];
  const bareFetch: number[] = [];
  const bareExit: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    bare.push(await bareServer('s.end("ok")'));
    // A second reference: the first answer makes one fetch() to the upstream, as a model call
    // does. Node loads its fetch (undici) on first use; every intent function pays that on its
    // first model call, whatever the code around it.
    bareFetch.push(await bareServer('fetch(process.env.UPSTREAM+"/models").then(r=>r.text()).then(()=>s.end("ok"))'));
    const t = performance.now();
    await spawnUntil(process.execPath, ["-e", 'console.log("{\\"msg\\":\\"x\\"}")'], {}, (l) => l.msg === "x");
    bareExit.push(performance.now() - t);
  }
  const rows = [];
  try {
    for (const b of built.filter((f) => f.type === "web")) {
      // Intent functions answer a model request first; auth answers /healthz.
      const asksModel = bodies[b.name] !== undefined;
      const spawnToAnswer: number[] = [];
      const firstRequest: number[] = [];
      const init: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        const started = performance.now();
        const server = await startBundle(b.dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up.url });
        const listening = performance.now();
        await firstAnswer(server.url, b.name);
        spawnToAnswer.push(performance.now() - started);
        firstRequest.push(performance.now() - listening);
        init.push(server.initMs);
        rss.push(rssMb(server.child.pid));
        stop(server.child);
      }
      // The same first request on an instance the warm-up timer has pinged once.
      const afterWarmup: number[] = [];
      for (let i = 0; asksModel && i < COLD_RUNS; i++) {
        const server = await startBundle(b.dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up.url });
        await (await fetch(`${server.url}/v1/mini/warmup`, { method: "POST" })).arrayBuffer();
        const t = performance.now();
        await firstAnswer(server.url, b.name);
        afterWarmup.push(performance.now() - t);
        stop(server.child);
      }
      rows.push({ name: b.name, entryKB: round(b.bytes / 1024, 1), zipKB: round(b.zipBytes / 1024, 1), initMs: round(median(init), 1), spawnToAnswerMs: round(median(spawnToAnswer), 1), firstRequestMs: round(median(firstRequest), 1), firstAfterWarmupMs: asksModel ? round(median(afterWarmup), 1) : null, overBareMs: round(median(spawnToAnswer) - median(bare), 1), overBareFetchMs: asksModel ? round(median(spawnToAnswer) - median(bareFetch), 1) : null, rssMB: round(median(rss), 1) });
    }
  } finally {
    stop(up.child);
  }
  return { bareNodeHttpMs: round(median(bare), 1), bareNodeHttpFetchMs: round(median(bareFetch), 1), bareNodeStartMs: round(median(bareExit), 1), rows };
}

// RSS of one process along the way (after 1k, 10k, 30k, 60k ... requests), so a plateau and a
// leak look different; every status counted so a row of refusals cannot pass for answers.
async function memory(built: BuiltFunction[]) {
  const up = await startUpstream(0);
  const prefix = `bench:memory:${Date.now()}:`;
  const server = await startBundle(built.find((b) => b.name === "extract")!.dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: up.url, MINIASK_RATE_LIMITS: "off", MINIASK_STORE: MEMORY_STORE, MINIASK_STORE_PREFIX: prefix });
  const token = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_mem", 3600)).token;
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const body = (i: number) => JSON.stringify({ intent: "extract", userId: "u_mem", input: extractInput(i) });
  const marks = [1_000, 10_000, 30_000, 60_000, 100_000, 150_000, 200_000, 300_000].filter((n) => n < MEMORY_REQUESTS).concat(MEMORY_REQUESTS);
  const statuses: Record<string, number> = {};
  const curve: { requests: number; rssMB: number }[] = [];
  try {
    const firstAnswer = await fetch(`${server.url}/v1/mini/ask`, { method: "POST", headers, body: body(-1) });
    await firstAnswer.arrayBuffer();
    const afterFirstMB = round(rssMb(server.child.pid), 1);
    let sent = 0;
    for (const mark of marks) {
      const from = sent;
      const result = await runLoad({ url: `${server.url}/v1/mini/ask`, connections: CONNECTIONS, amount: mark - sent, headers, body: (i) => body(from + i) });
      for (const [status, n] of Object.entries(result.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
      sent = mark;
      await new Promise((r) => setTimeout(r, 500));
      curve.push({ requests: mark, rssMB: round(rssMb(server.child.pid), 1) });
    }
    const after1k = curve[0]!.rssMB;
    const afterAll = curve.at(-1)!.rssMB;
    return { store: MEMORY_STORE, afterFirstAnswerMB: afterFirstMB, after1kMB: after1k, [`after${MEMORY_REQUESTS / 1000}kMB`]: afterAll, growthMB: round(afterAll - after1k, 1), curve, statuses };
  } finally {
    stop(server.child, up.child);
    if (MEMORY_STORE.startsWith("redis")) await dropKeys(MEMORY_STORE, prefix);
  }
}

const benchStarted = performance.now();
const seconds = (since: number) => round((performance.now() - since) / 1000, 1);
const sectionSeconds: Record<string, number> = {};
let sectionStarted = performance.now();
const took = (section: string) => {
  sectionSeconds[section] = seconds(sectionStarted);
  sectionStarted = performance.now();
  // Counted, and the line cleared: the section's tables go to stdout next; the next row redraws it.
  progress.tick();
  progress.done();
};
progress.status("build");
const built = await buildFunctions(join(ROOT, "dist"));
took("build");
const report: Record<string, unknown> = { machine: `node ${process.version}, ${(await import("node:os")).cpus().length} cores`, connections: CONNECTIONS, durationSeconds: DURATION, payloadBytes: PAYLOAD };
if (ONLY.includes("overhead")) {
  progress.status("overhead");
  const o = await overhead(built);
  took("overhead");
  Object.assign(report, o);
  console.log(`\nGateway overhead (${CONNECTIONS} connections, ${DURATION} s per row, ${PAYLOAD} B payload; times in ms; "x direct" and "x floor" are req/s as a share of the direct and floor rows on the same upstream; "CPU µs/req" is what the row's own process used per request: the upstream for direct rows)\n`);
  console.log(table(o.rows.map((r) => [r.name, r.rps, r.vsDirect, r.vsFloor, r.p50, r.p90, r.p99, r.p50OverFloorMs, r.cpuUsPerRequest ?? "-", r.cpuVsFloor ?? "-"]), ["row", "req/s", "x direct", "x floor", "p50", "p90", "p99", "p50 - floor p50", "CPU µs/req", "CPU x floor"]));
  console.log(`\nfloor (minimal Node forwarder, 0 ms): ${o.floor.rps} req/s = ${o.floor.vsDirect} x direct; over direct p50 ${o.floor.overDirect.p50} ms, p99 ${o.floor.overDirect.p99} ms`);
  console.log(`miniask (0 ms): ${o.throughputVsFloor} x floor, ${o.throughputRatio} x direct; over the floor p50 ${o.overFloor.p50} ms, p99 ${o.overFloor.p99} ms; over direct p50 ${o.overhead.p50} ms, p99 ${o.overhead.p99} ms`);
  console.log(`stream first byte: upstream p50 ${o.streamFirstByte.upstream.p50} / p99 ${o.streamFirstByte.upstream.p99} ms, through p50 ${o.streamFirstByte.through.p50} / p99 ${o.streamFirstByte.through.p99} ms, overhead p50 ${o.streamFirstByte.overhead.p50} / p99 ${o.streamFirstByte.overhead.p99} ms`);
}
if (ONLY.includes("oneconnection")) {
  progress.status("oneconnection");
  const c = await oneConnection(built);
  took("oneconnection");
  report.oneConnection = c;
  const us = (n: number) => n.toFixed(1);
  const added = (name: string) => c.addedOverDirect[name];
  console.log(`\nOne connection (${c.requests} sequential requests per subject on one kept-alive socket, process.hrtime; times in µs, added latency vs direct in ms)\n`);
  console.log(table(c.rows.map((r) => [r.name, r.requests, r.sockets, us(r.p50Us), us(r.p90Us), us(r.p99Us), us(r.meanUs), added(r.name)?.p50Ms.toFixed(3) ?? "-", added(r.name)?.p99Ms.toFixed(3) ?? "-", r.cpuUsPerRequest ?? "-"]), ["subject", "requests", "sockets", "p50 µs", "p90 µs", "p99 µs", "mean µs", "+p50 ms", "+p99 ms", "CPU µs/req"]));
}
if (ONLY.includes("clients")) {
  progress.status("clients");
  const c = await clients();
  took("clients");
  report.clients = c;
  console.log(`\nModel clients on the same upstream (bench process; ${CLIENT_CALLS} sequential calls each, then ${CONNECTIONS} in parallel; CPU is the caller's)\n`);
  console.log(table(c.warm.map((r) => [r.client, r.p50Ms, r.p99Ms, r.cpuUsPerCall, r.parallelRps, r.parallelCpuUsPerCall, r.streamFirstChunkP50Ms, r.streamCpuUsPerCall]), ["client", "p50 ms", "p99 ms", "CPU µs/call", "parallel req/s", "parallel CPU µs/call", "stream 1st chunk p50 ms", "stream CPU µs/call"]));
  console.log(`\nCold: a fresh process loads the client on first use and makes one call (median of ${COLD_RUNS}; bundled like a function)\n`);
  console.log(table(c.cold.map((r) => [r.client, r.bundleKB, r.spawnToAnswerMs, r.loadMs, r.firstCallMs, r.loadPlusFirstCallMs]), ["client", "bundle KB", "spawn→answer ms", "load ms", "first call ms", "load + first call ms"]));
}
if (ONLY.includes("burst")) {
  progress.status("burst");
  const b = await burst(built);
  took("burst");
  report.burst = b;
  console.log(`\nBursts against one process (prod: 10 per user and intent per minute; WeChat's content check on input and answer, against a local stand-in)\n`);
  console.log(table(b.map((r) => [r.scenario, r.answered, r.lost, r.fiveXX, r.admitted, r.refused429, r.refusalsWithoutRetryAfter, r.contentChecks, r.p50, r.p99]), ["scenario", "answered", "lost", "5xx", "200", "429", "429 w/o Retry-After", "msgSecCheck calls", "p50", "p99"]));
}
if (ONLY.includes("coldstart")) {
  progress.status("coldstart");
  const c = await coldStart(built);
  took("coldstart");
  report.coldStart = c;
  console.log(`\nCold start (median of ${COLD_RUNS} fresh processes; bare node HTTP server ${c.bareNodeHttpMs} ms to first answer, ${c.bareNodeHttpFetchMs} ms when that answer makes one fetch, bare node -e ${c.bareNodeStartMs} ms)\n`);
  console.log(table(c.rows.map((r) => [r.name, r.entryKB, r.zipKB, r.initMs, r.spawnToAnswerMs, r.firstRequestMs, r.firstAfterWarmupMs ?? "-", r.overBareMs, r.overBareFetchMs ?? "-", r.rssMB]), ["function", "entry KB", "zip KB", "init ms", "spawn→answer ms", "1st request ms", "after warm-up ping", "+ vs bare", "+ vs bare w/ fetch", "RSS MB"]));
}
if (ONLY.includes("memory")) {
  progress.status("memory");
  const m = await memory(built);
  took("memory");
  report.memory = m;
  console.log(`\nMemory (RSS of one extract process on the ${m.store} store, MB; statuses ${JSON.stringify(m.statuses)})\n`);
  console.log(table([["after the first answer", m.afterFirstAnswerMB], ...m.curve.map((c) => [`after ${c.requests.toLocaleString("en")} requests`, c.rssMB])], ["", "RSS MB"]));
}
progress.done();
report.sectionSeconds = sectionSeconds;
console.log(`\n${seconds(benchStarted)} s in all (${Object.entries(sectionSeconds).map(([k, v]) => `${k} ${v} s`).join(", ")})`);
if (JSON_FILE) writeFileSync(JSON_FILE, `${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
