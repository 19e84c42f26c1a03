// What a model call costs the caller's process, by client, on the same upstream: the openai SDK
// as lib/models uses it (openaiClientFor, then completionSchema; with and without the per-call
// AbortSignal of lib/models/deadline.ts) and lib/openaiWire (its own parse included). Warm: one call after another (latency, CPU per call), then calls in parallel
// (throughput, CPU per call), then streams (first content chunk, whole stream). Cold: a fresh
// process bundled like a function (esbuild, node18, ESM with lazy chunks) that loads the client
// on first use and makes one call. The upstream is its own process, so CPU here is the client's.
import { mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import * as z from "zod/mini";
import { completionSchema } from "../../lib/models/completionSchema";
import { openaiClientFor } from "./sdkClient";
import { complete, stream } from "../../lib/openaiWire";
import { ROOT, spawnUntil, stop } from "./processes";
import { median, percentile, round } from "./stats";

type Body = (i: number) => ChatCompletionCreateParamsNonStreaming;

interface Client {
  name: string;
  whole(body: ChatCompletionCreateParamsNonStreaming): Promise<unknown>;
  /** Resolves with the ms from the request to the first content chunk; the stream is read to its end. */
  streamed(body: ChatCompletionCreateParamsNonStreaming): Promise<number>;
}

function clientsFor(baseUrl: string): Client[] {
  const target = { baseUrl, apiKey: "bench" };
  const streamBody = (body: ChatCompletionCreateParamsNonStreaming) => ({ ...body, stream: true as const, stream_options: { include_usage: true } });
  const firstContent = async (started: number, chunks: AsyncIterable<{ choices?: { delta?: { content?: string | null } }[] | undefined }>) => {
    let first = -1;
    for await (const chunk of chunks) if (first < 0 && chunk.choices?.[0]?.delta?.content) first = performance.now() - started;
    return first;
  };
  const sdkWhole = async (body: ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal) => {
    const reply: unknown = await (await openaiClientFor(target)).chat.completions.create(body, { timeout: 30_000, maxRetries: 0, ...(signal ? { signal } : {}) });
    if (!z.safeParse(completionSchema, reply).success) throw new Error("not a completion");
    return reply;
  };
  return [
    {
      name: "openai SDK",
      whole: (body) => sdkWhole(body),
      streamed: async (body) => {
        const started = performance.now();
        return firstContent(started, await (await openaiClientFor(target)).chat.completions.create(streamBody(body), { timeout: 30_000, maxRetries: 0 }));
      },
    },
    {
      // As lib/models/callModelChain calls it since the whole-call deadline (lib/models/deadline.ts):
      // an AbortController and a timer per call, the signal handed to the SDK (and to undici).
      name: "openai SDK + per-call AbortSignal",
      whole: async (body) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 30_000);
        try {
          return await sdkWhole(body, controller.signal);
        } finally {
          clearTimeout(timer);
        }
      },
      streamed: async (body) => {
        const controller = new AbortController();
        const started = performance.now();
        return firstContent(started, await (await openaiClientFor(target)).chat.completions.create(streamBody(body), { timeout: 30_000, maxRetries: 0, signal: controller.signal }));
      },
    },
    {
      name: "lib/openaiWire",
      whole: (body) => complete(target, body, { timeoutMs: 30_000 }),
      streamed: async (body) => {
        const started = performance.now();
        return firstContent(started, await stream(target, streamBody(body)));
      },
    },
  ];
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface Tally {
  samples: number[];
  cpu: number;
  calls: number;
}

/** Calls one after another, the clients taking turns in blocks of 25. */
async function sequential(clients: Client[], body: Body, calls: number, call: (c: Client, b: ChatCompletionCreateParamsNonStreaming) => Promise<number | undefined>): Promise<Tally[]> {
  const tallies = clients.map(() => ({ samples: [] as number[], cpu: 0, calls: 0 }));
  let i = 0;
  for (let done = 0; done < calls; done += 25) {
    for (const [k, client] of clients.entries()) {
      const cpu = cpuUs();
      for (let n = 0; n < Math.min(25, calls - done); n++) {
        const started = process.hrtime.bigint();
        const measured = await call(client, body(i++));
        tallies[k]!.samples.push(measured ?? Number(process.hrtime.bigint() - started) / 1e6);
        tallies[k]!.calls++;
      }
      tallies[k]!.cpu += cpuUs() - cpu;
    }
  }
  return tallies;
}

async function parallel(client: Client, body: Body, workers: number, seconds: number): Promise<{ rps: number; cpuUsPerCall: number }> {
  const end = performance.now() + seconds * 1000;
  let calls = 0;
  let i = 0;
  const cpu = cpuUs();
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end) {
      await client.whole(body(i++));
      calls++;
    }
  }));
  return { rps: round(calls / ((performance.now() - started) / 1000), 0), cpuUsPerCall: round((cpuUs() - cpu) / calls, 1) };
}

export async function warmClientCost(baseUrl: string, body: Body, options: { calls: number; workers: number; seconds: number }) {
  const clients = clientsFor(baseUrl);
  for (const client of clients) for (let n = 0; n < 100; n++) await client.whole(body(1_000_000 + n)); // warm-up
  const whole = await sequential(clients, body, options.calls, async (c, b) => void (await c.whole(b)));
  const streamed = await sequential(clients, body, Math.ceil(options.calls / 2), (c, b) => c.streamed(b));
  const rows = [];
  for (const [k, client] of clients.entries()) {
    const par = await parallel(client, body, options.workers, options.seconds);
    const w = whole[k]!;
    const s = streamed[k]!;
    rows.push({
      client: client.name,
      p50Ms: round(percentile(w.samples, 50), 3),
      p99Ms: round(percentile(w.samples, 99), 3),
      cpuUsPerCall: round(w.cpu / w.calls, 1),
      parallelRps: par.rps,
      parallelCpuUsPerCall: par.cpuUsPerCall,
      streamFirstChunkP50Ms: round(percentile(s.samples, 50), 3),
      streamCpuUsPerCall: round(s.cpu / s.calls, 1),
    });
  }
  return rows;
}

/** Both cold entries bundled as the functions are (scripts/build.ts): ESM, node18, minified, lazy chunks. */
async function bundleColdEntries(): Promise<{ name: string; entry: string; kb: number }[]> {
  const out = mkdtempSync(join(tmpdir(), "miniask-clients-"));
  const entries = [
    { name: "openai SDK", file: "sdkFirstCall" },
    { name: "lib/openaiWire", file: "wireFirstCall" },
  ];
  const bundles = [];
  for (const e of entries) {
    const dir = join(out, e.file);
    mkdirSync(dir);
    await build({
      entryPoints: { index: join(ROOT, "scripts/bench/coldClients", `${e.file}.ts`) },
      outdir: dir,
      splitting: true,
      chunkNames: "chunk-[hash]",
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      target: "node18",
      format: "esm",
      minify: true,
      legalComments: "none",
      logLevel: "warning",
      banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' },
    });
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    bundles.push({ name: e.name, entry: join(dir, "index.mjs"), kb: round(bytes / 1024, 1) });
  }
  return bundles;
}

export async function coldClientCost(baseUrl: string, body: ChatCompletionCreateParamsNonStreaming, runs: number) {
  const bundles = await bundleColdEntries();
  const results = bundles.map(() => ({ spawnToAnswer: [] as number[], load: [] as number[], call: [] as number[], boot: [] as number[] }));
  for (let r = 0; r < runs; r++) {
    for (const [k, b] of bundles.entries()) {
      const { child, line, ms } = await spawnUntil(process.execPath, [b.entry], { UPSTREAM: baseUrl, BODY: JSON.stringify(body) }, (l) => l.msg === "answered");
      stop(child);
      if (line.ok !== true) throw new Error(`${b.name}: the cold call's reply did not parse`);
      results[k]!.spawnToAnswer.push(ms);
      results[k]!.boot.push(Number(line.bootMs));
      results[k]!.load.push(Number(line.loadMs));
      results[k]!.call.push(Number(line.callMs));
    }
  }
  return bundles.map((b, k) => ({
    client: b.name,
    bundleKB: b.kb,
    spawnToAnswerMs: round(median(results[k]!.spawnToAnswer), 1),
    loadMs: round(median(results[k]!.load), 1),
    firstCallMs: round(median(results[k]!.call), 1),
    loadPlusFirstCallMs: round(median(results[k]!.load.map((l, i) => l + results[k]!.call[i]!)), 1),
  }));
}
