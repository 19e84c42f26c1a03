// `npm run burst -- [--shape 9am | --trace FILE] [--fn summarize] [--provisioned N | --schedule serverless.yml]
//   [--stage prod] [--seed 1] [--cold-runs 5 | --cold-start-ms 250,300] [--html FILE] [--json FILE]
//   [--real [--max-processes 12] [--real-minutes 3] [--speed 1]]`
// Replays a traffic shape against the SCF instance model twice, with no provisioned concurrency
// (A) and with the chosen setting (B, the manifest's schedule by default), and prints per minute:
// requests, instances, cold starts users met, p50/p95/p99, 429/432/5xx. --real adds the busiest
// minutes replayed against real processes of the built bundle next to the simulation of them.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../bench/processes";
import { isIntentFunction } from "./askRequests";
import { coldStartSamples, latencyFrom, modelFrom, readTraceFile, replayRequests } from "./burstInputs";
import { concurrencyPerSlot, dayStarts } from "./concurrency";
import { REPLAY_MODEL_OPTIONS, flagsOf } from "./burstOptions";
import { type Flags, numberFlag, stringFlag } from "./flags";
import { burstPage } from "./html";
import type { CapacitySetting, ReplayRequest } from "./instanceModel";
import { readConcurrency } from "./concurrencySetting";
import { manifestRoot, manifestSetting } from "./manifestSetting";
import { compareWithReal } from "./realComparison";
import { NINE_AM, nineAmTrace } from "./shapes";
import { simulate } from "./simulate";
import { minuteRows, summarize } from "./summarize";
import { BILLING_NOTE } from "./billing";
import { sideBySide, summaryTable } from "./table";
import { type Parsed, defineCommand, runCli } from "../support/cli";
import { createProgress } from "../support/progress";

const BURST_COMMAND = defineCommand({
  command: "npm run burst --",
  summary: "Replays a traffic shape against the SCF instance model twice, with no provisioned concurrency (A) and with the chosen setting (B, the manifest's schedule by default), and prints per minute: requests, instances, cold starts users met, p50/p95/p99, 429/432/5xx. --real adds the busiest minutes replayed against real processes of the built bundle.",
  options: {
    shape: { type: "string", choices: ["9am"], description: "the built-in traffic shape: the 9:00 class rush (default, unless --trace)" },
    trace: { type: "string", value: "FILE", description: "replay a trace instead: JSON lines with \"time\" (and fn, ms, status), or a CSV whose first column is a timestamp" },
    fn: { type: "string", value: "NAME", default: "summarize", description: "the function whose requests are replayed" },
    provisioned: { type: "number", value: "N", description: "B: N provisioned instances all day (0: none) instead of the manifest's schedule" },
    schedule: { type: "string", value: "FILE", description: "B: the schedule of this serverless.yml (with its stages file) (default: the repository's)" },
    stage: { type: "string", value: "NAME", default: "prod", description: "the stage whose schedule and concurrency apply" },
    ...REPLAY_MODEL_OPTIONS,
    real: { type: "boolean", description: "also replay the busiest minutes against real processes of the built bundle" },
    "real-minutes": { type: "number", value: "MIN", default: 3, description: "--real: how many of the busiest minutes" },
    "max-processes": { type: "number", default: 12, description: "--real: processes at most (20 at most)" },
    speed: { type: "number", default: 1, description: "--real: replay this many times faster than the trace" },
    html: { type: "string", value: "FILE", description: "also write a chart of both runs" },
    json: { type: "string", value: "FILE", description: "also write the summaries and rows as JSON" },
  },
});

function traffic(flags: Flags, fn: string, seed: number): { requests: ReplayRequest[]; label: string } {
  const trace = stringFlag(flags, "trace");
  const latency = latencyFrom(flags);
  if (trace) return { requests: replayRequests(readTraceFile(trace), fn, latency, seed), label: `trace ${trace}` };
  const shape = stringFlag(flags, "shape") ?? "9am";
  if (shape !== "9am") throw new Error(`--shape: the built-in shape is "9am", got "${shape}"`);
  return { requests: nineAmTrace(NINE_AM, latency, seed), label: `the 9:00 class shape (${NINE_AM.date}, Beijing ${Math.floor(NINE_AM.fromMinute / 60)}:${String(NINE_AM.fromMinute % 60).padStart(2, "0")}-${Math.floor(NINE_AM.toMinute / 60)}:${String(NINE_AM.toMinute % 60).padStart(2, "0")}, up to ${NINE_AM.peakPerSecond} req/s; model latency median ${latency.medianMs} ms, sigma ${latency.sigma})` };
}

function settingB(flags: Flags, fn: string, stage: string): CapacitySetting & { memoryMb?: number; timeoutMs?: number } {
  const n = flags.provisioned === undefined ? undefined : numberFlag(flags, "provisioned", 0);
  if (n !== undefined) return n > 0 ? { name: `${n} provisioned`, provisioned: { mode: "static", count: n } } : { name: "none" };
  return manifestSetting(stringFlag(flags, "schedule") ?? join(ROOT, "serverless.yml"), stage, fn);
}

export async function runBurst(flags: Flags) {
  const fn = stringFlag(flags, "fn") ?? "summarize";
  const stage = stringFlag(flags, "stage") ?? "prod";
  const seed = numberFlag(flags, "seed", 1);
  const { requests, label } = traffic(flags, fn, seed);
  if (requests.length === 0) throw new Error(`no requests for function "${fn}" in the trace`);
  const b = settingB(flags, fn, stage);
  const cold = await coldStartSamples(flags, fn);
  const concurrency = flags["per-instance"] === undefined ? readConcurrency(manifestRoot(stringFlag(flags, "schedule") ?? join(ROOT, "serverless.yml")), stage, fn) : { perInstance: numberFlag(flags, "per-instance", 1), source: "--per-instance" };
  const model = modelFrom(flags, cold.samples, { perInstanceConcurrency: concurrency.perInstance, ...(b.memoryMb ? { memoryMb: b.memoryMb } : {}), ...(b.timeoutMs ? { timeoutMs: b.timeoutMs } : {}) });
  const a: CapacitySetting = { name: "none: no provisioned concurrency, no warm-up" };
  const intervals = requests.map((r) => ({ at: r.at, ms: r.serviceMs }));
  const warmAt = dayStarts(intervals, concurrencyPerSlot(intervals, 60_000), model.perInstanceConcurrency);
  const results = [a, b].map((s) => simulate(requests, s, model, { seed, warmAt }));
  const rows = results.map(minuteRows);
  const summaries = results.map((r) => summarize(r, "minute"));
  let real: Awaited<ReturnType<typeof compareWithReal>> | undefined;
  if (flags.real) {
    if (!isIntentFunction(fn)) throw new Error(`--real replays an intent function; "${fn}" is not one`);
    const dist = stringFlag(flags, "dist");
    real = await compareWithReal(requests, [a, b], model, { fn, minutes: numberFlag(flags, "real-minutes", 3), maxProcesses: Math.min(20, numberFlag(flags, "max-processes", 12)), speed: numberFlag(flags, "speed", 1), seed, ...(dist ? { dist } : {}) });
  }
  return { fn, label, cold, model, concurrencySource: concurrency.source, settings: [a, b], rows, summaries, real };
}

function print(report: Awaited<ReturnType<typeof runBurst>>): string {
  const { label, cold, model, settings, rows, summaries, real } = report;
  const median = [...cold.samples].sort((x, y) => x - y)[Math.floor((cold.samples.length - 1) / 2)] ?? 0;
  const lines = [
    `${report.fn}: ${label}`,
    `cold start ${Math.round(median)} ms median (${cold.source}); ${model.perInstanceConcurrency} request(s) per instance (${report.concurrencySource}), each ${model.cpuMsPerRequest} ms CPU of the instance's ${(model.cpuShare * 100).toFixed(1)}% of a core (more in flight than that share serves: all slow); on-demand starts <= ${model.elasticStartsPerMinute}/min, provisioned launches ${model.provisionedStartsPerMinute}/min; idle instances reclaimed after ${model.idleReclaimMs / 60_000} min; quota ${model.maxInstances} instances`,
    "",
    sideBySide({ name: settings[0]!.name, rows: rows[0]! }, { name: settings[1]!.name, rows: rows[1]! }),
    "",
    summaryTable(settings.map((s, i) => ({ name: i === 0 ? "A (none)" : "B", summary: summaries[i]!, idle: `${summaries[i]!.idleProvisionedGbSeconds.toFixed(0)} GB-s` }))),
    `instance GB-s: instances x ${model.memoryMb} MB x the time they had a request in flight. ${BILLING_NOTE}`,
  ];
  if (real) {
    lines.push("", `Real processes (dist/${report.fn}, at most ${Math.max(...real.runs.map((r) => Math.max(...r.real.minutes.map((m) => m.instances))))} at once): ${real.window.requests.length} requests, ${(real.window.keep * 100).toFixed(1)}% of the busiest ${Math.round((real.window.endMs - real.window.startMs) / 60_000)} minutes, next to the simulation of the same requests`);
    lines.push(summaryTable(real.runs.flatMap((r, i) => [{ name: `${i === 0 ? "A" : "B"} real`, summary: summarize(r.real, "minute", 1) }, { name: `${i === 0 ? "A" : "B"} simulated`, summary: summarize(r.simulated, "minute", 1) }])));
  }
  return lines.join("\n");
}

async function main(parsed: Parsed<typeof BURST_COMMAND.options>): Promise<void> {
  const flags = flagsOf(parsed);
  const progress = createProgress("burst", 0, "steps");
  progress.status(parsed.values.real ? "simulating, then the real processes" : "measuring cold starts and simulating");
  const report = await runBurst(flags).finally(progress.done);
  console.log(print(report));
  const html = stringFlag(flags, "html");
  if (html) {
    const series = report.settings.map((s, i) => ({ name: `${i === 0 ? "A" : "B"}: ${s.name}`, rows: report.rows[i]! }));
    writeFileSync(html, burstPage(`Burst: ${report.fn}, ${report.label}`, print(report), series));
    console.log(`\nchart: ${html}`);
  }
  const json = stringFlag(flags, "json");
  if (json) writeFileSync(json, `${JSON.stringify({ fn: report.fn, label: report.label, coldStartMs: report.cold.samples, settings: report.settings.map((s) => s.name), summaries: report.summaries, rows: report.rows, real: report.real?.runs.map((r) => ({ setting: r.setting, real: summarize(r.real, "minute", 1), simulated: summarize(r.simulated, "minute", 1) })) }, null, 2)}\n`);
}

if (process.argv[1]?.endsWith("burst.ts")) runCli(BURST_COMMAND, main);
