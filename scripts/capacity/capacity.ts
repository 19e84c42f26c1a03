// `npm run capacity [-- --functions summarize,support,recommend,extract --n 1,5,10,25,50 --quick --json FILE ...]`
// (every option: CAPACITY_COMMAND below, or npm run capacity -- --help)
// Each function's BUILT bundle (npm run build) as its own process, held to the CPU share SCF
// gives its memorySize (cpuShare.ts; the cgroup cpu controller, scripts/support/cpuQuota.ts), in
// front of an upstream paced like a model (modelUpstream.ts); N concurrent clients, whole and
// streamed answers. In the same run and quota, the floor: a minimal SSE relay (streamingFloor.ts)
// and the bench's whole-answer forwarder. Recommends MaxConcurrency per function
// (recommendation.ts). --quick: one function, N 1 and 4, short answers (the test's run).
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { ROOT, rssMb, spawnUntil, startBundle, startFloor, stop } from "../bench/processes";
import { askRequests, INTENT_FUNCTIONS, instanceEnv, isIntentFunction } from "../burst/askRequests";
import { assertBuilt, bundleDir, DEFAULT_DIST } from "../burst/coldStart";
import { flagsOf } from "../burst/burstOptions";
import { type Flags, numberFlag, numberListFlag, stringFlag } from "../burst/flags";
import { type Parsed, UsageError, defineCommand, runCli } from "../support/cli";
import { createProgress } from "../support/progress";
import { readServerlessFile } from "../burst/knownFunctions";
import { capacityInput, firstEventIsWholeAnswer, floorChatBody } from "./capacityRequests";
import { FLOOR, type FunctionRecommendation, recommendationTable, recommendations, rowsTable } from "./capacityTable";
import { CPU_SHARE_SOURCE, cpuShareFor, DEFAULT_CORES_PER_GB } from "./cpuShare";
import { measureSubject, type StepRow, type Subject } from "./measureSubject";
import { throttle } from "./throttle";
import type { Pace } from "./modelUpstream";

const CAPACITY_COMMAND = defineCommand({
  command: "npm run capacity --",
  summary: "Each function's built bundle (npm run build) as its own process, held to the CPU share SCF gives its memorySize, in front of an upstream paced like a model; N concurrent clients, whole and streamed answers, next to a minimal relay (the floor) under the same quota. Recommends MaxConcurrency per function. Takes minutes.",
  options: {
    functions: { type: "string", value: "FN,...", description: `the intent functions to measure (default: ${INTENT_FUNCTIONS.join(",")}; --quick: extract)` },
    n: { type: "string", value: "N,...", description: "concurrent clients per step, each 1..100 (default: 1,5,10,25,50; --quick: 1,4)" },
    tps: { type: "number", description: "the paced upstream's tokens a second (default: 50; --quick: 100)" },
    tokens: { type: "number", description: "tokens an answer, 2..250 (default: 80; --quick: 10)" },
    "first-token-ms": { type: "number", value: "MS", description: "the upstream's time to its first token (default: 200; --quick: 50)" },
    rounds: { type: "number", description: "requests per client per N (default: 2; --quick: 1)" },
    "cores-per-gb": { type: "number", default: DEFAULT_CORES_PER_GB, description: "the CPU share SCF gives per GB of memory" },
    dist: { type: "string", value: "DIR", description: "the built bundles (default: dist/)" },
    quick: { type: "boolean", description: "one function, N 1 and 4, short answers (the test's run)" },
    json: { type: "string", value: "FILE", description: "also write the report as JSON" },
  },
});

export interface CapacityOptions {
  functions: string[];
  ns: number[];
  pace: Pace;
  rounds: number;
  coresPerGb: number;
  dist: string;
}

export function optionsFrom(flags: Flags): CapacityOptions {
  const quick = flags.quick === true;
  const functions = (stringFlag(flags, "functions") ?? (quick ? "extract" : INTENT_FUNCTIONS.join(","))).split(",");
  for (const fn of functions) if (!isIntentFunction(fn)) throw new UsageError(`--functions: "${fn}" is not an intent function (${INTENT_FUNCTIONS.join(", ")})`);
  const ns = numberListFlag(flags, "n") ?? (quick ? [1, 4] : [1, 5, 10, 25, 50]);
  // SCF's MaxConcurrency is 1..100 per instance (InstanceConcurrencyConfig, product 583/47183).
  if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) throw new UsageError(`--n: expected whole numbers 1..100 (SCF's MaxConcurrency), got ${ns.join(",")}`);
  const tokens = numberFlag(flags, "tokens", quick ? 10 : 80);
  // The shortest stand-in answer (support's) has about 280 characters: one piece each at most.
  if (tokens < 2 || tokens > 250) throw new UsageError(`--tokens: expected 2..250, got ${tokens}`);
  return {
    functions,
    ns,
    pace: { tokensPerSecond: numberFlag(flags, "tps", quick ? 100 : 50), tokens, firstTokenMs: numberFlag(flags, "first-token-ms", quick ? 50 : 200) },
    rounds: numberFlag(flags, "rounds", quick ? 1 : 2),
    coresPerGb: numberFlag(flags, "cores-per-gb", DEFAULT_CORES_PER_GB),
    dist: stringFlag(flags, "dist") ?? DEFAULT_DIST,
  };
}

function memoryOf(fn: string): number {
  const manifest = readServerlessFile(ROOT);
  return manifest.inputs.functions[fn]?.memorySize ?? manifest.inputs.memorySize ?? 128;
}

const streamed = (body: (i: number) => string) => (i: number) => JSON.stringify({ ...(JSON.parse(body(i)) as object), stream: true });

export interface CapacityReport {
  date: string;
  options: CapacityOptions;
  cpuShareSource: string;
  controllers: Record<string, string>;
  rows: StepRow[];
  recommendations: FunctionRecommendation[];
  /** The machine's 1-minute load average when the run began and ended (other work on it: noise). */
  loadAverage: { start: number; end: number };
}

export async function runCapacity(options: CapacityOptions, report: (line: string) => void = () => undefined): Promise<CapacityReport> {
  for (const fn of options.functions) assertBuilt(fn, options.dist);
  const loadAtStart = loadavg()[0]!;
  const { pace } = options;
  const upstream = await spawnUntil(process.execPath, ["--import", "tsx", "scripts/capacity/modelUpstream.ts", "--tps", String(pace.tokensPerSecond), "--tokens", String(pace.tokens), "--first-token-ms", String(pace.firstTokenMs)], {}, (l) => typeof l.port === "number");
  const upstreamUrl = `http://127.0.0.1:${String(upstream.line.port)}/v1`;
  const rows: StepRow[] = [];
  const controllers: Record<string, string> = {};
  const json = { "content-type": "application/json" };
  try {
    for (const fn of options.functions) {
      if (!isIntentFunction(fn)) continue;
      const memoryMb = memoryOf(fn);
      const bundle = await startBundle(bundleDir(fn, options.dist), instanceEnv(upstreamUrl));
      const quota = throttle(cpuShareFor(memoryMb, options.coresPerGb), fn, [bundle.child.pid!]);
      controllers[fn] = quota.controller;
      try {
        const ask = await askRequests(fn, capacityInput);
        const url = `${bundle.url}/v1/mini/ask`;
        const subject: Subject = {
          name: fn,
          memoryMb,
          firstEventIsWholeAnswer: firstEventIsWholeAnswer(fn),
          whole: { url, headers: ask.headers, body: ask.body, stream: false },
          stream: { url, headers: { ...ask.headers, accept: "text/event-stream" }, body: streamed(ask.body), stream: true },
          cpuUs: quota.cpuUs,
          rssMb: () => rssMb(bundle.child.pid),
        };
        rows.push(...(await measureSubject(subject, pace, options.ns, options.rounds, report)));
      } finally {
        quota.release();
        stop(bundle.child);
      }
    }
    // The floor at the intent functions' memory size: the same quota they had.
    const memoryMb = memoryOf(options.functions[0]!);
    const whole = await startFloor(upstreamUrl);
    const relay = await spawnUntil(process.execPath, ["--import", "tsx", "scripts/capacity/streamingFloor.ts"], { FLOOR_UPSTREAM_URL: upstreamUrl, PORT: "0" }, (l) => l.msg === "listening");
    const pids = [whole.child.pid!, relay.child.pid!];
    const quota = throttle(cpuShareFor(memoryMb, options.coresPerGb), "floor", pids);
    controllers[FLOOR] = quota.controller;
    try {
      const subject: Subject = {
        name: FLOOR,
        memoryMb,
        firstEventIsWholeAnswer: false,
        whole: { url: `${whole.url}/`, headers: json, body: floorChatBody, stream: false },
        stream: { url: `http://127.0.0.1:${String(relay.line.port)}/`, headers: json, body: floorChatBody, stream: true },
        cpuUs: quota.cpuUs,
        rssMb: () => Math.max(...pids.map((pid) => rssMb(pid))),
      };
      rows.push(...(await measureSubject(subject, pace, options.ns, options.rounds, report)));
    } finally {
      quota.release();
      stop(whole.child, relay.child);
    }
  } finally {
    stop(upstream.child);
  }
  return { date: new Date().toISOString(), options, cpuShareSource: CPU_SHARE_SOURCE, controllers, rows, recommendations: recommendations(rows), loadAverage: { start: loadAtStart, end: loadavg()[0]! } };
}

export function printCapacity(r: CapacityReport): string {
  const { pace, coresPerGb } = r.options;
  const shares = [...new Set(r.rows.map((row) => row.memoryMb))].map((mb) => `${mb} MB -> ${(cpuShareFor(mb, coresPerGb) * 100).toFixed(1)}% of a core`).join(", ");
  const unthrottled = Object.entries(r.controllers).filter(([, c]) => c.startsWith("UNTHROTTLED"));
  return [
    `npm run capacity, ${r.date}: upstream paced at ${pace.tokensPerSecond} tokens/s, ${pace.tokens} tokens an answer, first token after ${pace.firstTokenMs} ms; ${r.options.rounds} request(s) per client per N, client starts spread over one answer`,
    `CPU quota: ${shares}; ${r.cpuShareSource}`,
    "Instances run as dev (scripts/burst/askRequests.ts: memory store, limits off, no WeChat check) on dev's profiles: summarize_v2 streams a draft then the refined final (two model streams), support_v2 has tools (asked whole, streamed as one event: its first event is set against the whole answer's time).",
    unthrottled.length ? `NOT THROTTLED: ${unthrottled.map(([s, c]) => `${s}: ${c}`).join("; ")}` : `held by ${[...new Set(Object.values(r.controllers))].join(", ")}`,
    `Times are added over the upstream's own (first token, last token, token gap); CPU from the quota's cgroup. A shared machine (${cpus().length} cores, load average ${r.loadAverage.start.toFixed(1)} at the start, ${r.loadAverage.end.toFixed(1)} at the end): latencies are noisy, CPU per request steadier.`,
    "",
    rowsTable(r.rows),
    "",
    "Recommended MaxConcurrency (largest N with first event p99 <= +100 ms, gap p99 <= +50 ms, RSS <= 70% of memory, no errors; stops at the first N over a limit; an N where the floor is over a latency limit too is not judged):",
    recommendationTable(r.recommendations),
  ].join("\n");
}

async function main(parsed: Parsed<typeof CAPACITY_COMMAND.options>): Promise<void> {
  const flags = flagsOf(parsed);
  const options = optionsFrom(flags);
  const progress = createProgress("capacity", 0, "");
  // Each step's figures as they come, on the progress line (a terminal only).
  const report = await runCapacity(options, (line) => progress.status(line.trim())).finally(progress.done);
  console.log(printCapacity(report));
  const json = stringFlag(flags, "json");
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1]?.endsWith("capacity.ts")) runCli(CAPACITY_COMMAND, main);
