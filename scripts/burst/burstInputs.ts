// What a burst or plan run replays: the requests (a built-in shape or a trace file), the measured
// cold starts, and the instance model with the flags' overrides.
import { readFileSync } from "node:fs";
import { cpuShareFor, DEFAULT_CORES_PER_GB } from "../capacity/cpuShare";
import { measureColdStarts } from "./coldStart";
import { type Flags, numberFlag, numberListFlag, stringFlag } from "./flags";
import { isIntentFunction } from "./askRequests";
import { DEFAULT_MODEL, type InstanceModel, type ReplayRequest } from "./instanceModel";
import { drawLatency, type LatencyModel, seededRandom } from "./random";
import { DEFAULT_LATENCY } from "./shapes";
import { parseTraceText, type TraceRequest } from "./traceFile";

export function latencyFrom(flags: Flags): LatencyModel {
  return { medianMs: numberFlag(flags, "latency-median", DEFAULT_LATENCY.medianMs), sigma: numberFlag(flags, "latency-sigma", DEFAULT_LATENCY.sigma) };
}

/** A trace's requests for one function; those without a latency get one drawn from the model. */
export function replayRequests(requests: readonly TraceRequest[], fn: string | undefined, latency: LatencyModel, seed: number): ReplayRequest[] {
  const random = seededRandom(seed);
  return requests
    .filter((r) => fn === undefined || r.fn === undefined || r.fn === fn)
    .sort((a, b) => a.at - b.at)
    .map((r) => ({ at: r.at, serviceMs: r.ms ?? drawLatency(random, latency), ...(r.status === undefined ? {} : { status: r.status }) }));
}

export function readTraceFile(path: string): TraceRequest[] {
  const parsed = parseTraceText(readFileSync(path, "utf8"));
  if (parsed.skipped.length > 0) process.stderr.write(`${path}: skipped ${parsed.skipped.length} line(s); first: ${parsed.skipped[0]}\n`);
  if (parsed.requests.length === 0) throw new Error(`${path}: no requests found (JSON lines with "time", or a CSV whose first column is a timestamp)`);
  return parsed.requests;
}

/** Measured here unless given: --cold-start-ms 250,310,... (or --cold-runs N fresh processes). */
// What SCF adds before our process even starts (pulling the code, starting the container) cannot
// be measured here: --platform-cold-ms adds a figure of your own (from the Init Report log line).
export async function coldStartSamples(flags: Flags, fn: string): Promise<{ samples: number[]; source: string }> {
  const platform = numberFlag(flags, "platform-cold-ms", 0);
  const plus = platform > 0 ? ` + ${platform} ms platform start (given)` : "";
  const given = numberListFlag(flags, "cold-start-ms");
  if (given) return { samples: given.map((n) => n + platform), source: `given with --cold-start-ms${plus}` };
  const measureAs = isIntentFunction(fn) ? fn : "summarize";
  const runs = numberFlag(flags, "cold-runs", 5);
  const samples = (await measureColdStarts(measureAs, runs, stringFlag(flags, "dist"))).map((s) => s.coldStartMs + platform);
  return { samples, source: `measured: ${runs} fresh processes of dist/${measureAs}${plus}` };
}

/**
 * The instance model with the flags' overrides. `overrides` carries what the manifest says
 * (memory, timeout, the stages file's concurrency); --per-instance, --cpu-ms-per-request and
 * --cores-per-gb replace theirs.
 */
export function modelFrom(flags: Flags, coldStartMs: number[], overrides: Partial<InstanceModel> = {}): InstanceModel {
  const base = { ...DEFAULT_MODEL, ...overrides };
  return {
    ...base,
    coldStartMs,
    perInstanceConcurrency: numberFlag(flags, "per-instance", base.perInstanceConcurrency),
    cpuMsPerRequest: numberFlag(flags, "cpu-ms-per-request", base.cpuMsPerRequest),
    cpuShare: cpuShareFor(base.memoryMb, numberFlag(flags, "cores-per-gb", DEFAULT_CORES_PER_GB)),
    idleReclaimMs: numberFlag(flags, "idle-reclaim-min", DEFAULT_MODEL.idleReclaimMs / 60_000) * 60_000,
    maxInstances: numberFlag(flags, "max-instances", DEFAULT_MODEL.maxInstances),
    elasticStartsPerMinute: numberFlag(flags, "elastic-per-min", DEFAULT_MODEL.elasticStartsPerMinute),
    provisionedStartsPerMinute: numberFlag(flags, "provisioned-per-min", DEFAULT_MODEL.provisionedStartsPerMinute),
  };
}
