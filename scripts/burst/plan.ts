// `npm run plan -- --from cls | --from audit | --trace FILE | --shape 9am [--fn NAME] [--target 1] [--write] [--json FILE] ...`
// (every option: PLAN_COMMAND below, or npm run plan -- --help)
// From real traffic: the concurrency each function needed per 5-minute slot of the day over the
// days seen, and the cheapest provisioned-concurrency setting that keeps cold starts under the
// target in the simulation, with its idle cost per month next to the cold starts it saves.
// --write puts it in the stages file the deploy applies.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STAGES_FILE } from "../../lib/deploy/manifest";
import { writeProvisionedSchedule } from "../../lib/deploy/writeSchedule";
import { ROOT } from "../bench/processes";
import { readAuditRecords, readClsTraffic } from "./auditSource";
import { coldStartSamples, latencyFrom, modelFrom, readTraceFile, replayRequests } from "./burstInputs";
import { concurrencyPerSlot, dailyProfile, daysSeen, SLOT_MS } from "./concurrency";
import { readConcurrency } from "./concurrencySetting";
import { BILLING_NOTE } from "./billing";
import { DAYS_PER_MONTH, DEFAULT_PRICES, type Prices } from "./cost";
import { REPLAY_MODEL_OPTIONS, flagsOf } from "./burstOptions";
import { type Flags, numberFlag, stringFlag } from "./flags";
import { refuseUnknownFunctions } from "./knownFunctions";
import { describeProvisioned } from "./manifestSetting";
import { concurrencyCandidates, gbSecondsOf, planConcurrency } from "./planConcurrency";
import type { Plan } from "./planSchedule";
import { MEASURED } from "../capacity/measured";
import { DAY, NINE_AM, nineAmTrace } from "./shapes";
import type { TargetScope } from "./summarize";
import { renderTable } from "./table";
import type { TraceRequest } from "./traceFile";
import { type Parsed, UsageError, defineCommand, runCli } from "../support/cli";
import { createProgress } from "../support/progress";
import { requireReachableSpec } from "../support/reachStore";

const PLAN_COMMAND = defineCommand({
  command: "npm run plan --",
  summary: "From real traffic: the concurrency each function needed per 5-minute slot of the day, and the cheapest provisioned-concurrency setting that keeps cold starts under the target in the simulation, with its idle cost a month next to the cold starts it saves. --write puts it in the stages file the deploy applies.",
  options: {
    from: { type: "string", choices: ["cls", "audit"], description: "cls: the log service's audit lines (staging, prod: TENCENTCLOUD_SECRET_ID/KEY, MINIASK_CLS_TOPIC_ID, MINIASK_CLS_REGION); audit: the store's audit records (MINIASK_STORE=redis://..., MINIASK_STORE_PREFIX)" },
    "cls-topic": { type: "string", value: "ID", description: "--from cls: the CLS topic (default: MINIASK_CLS_TOPIC_ID)" },
    "cls-region": { type: "string", value: "REGION", description: "--from cls: the CLS region (default: MINIASK_CLS_REGION)" },
    days: { type: "number", default: 7, description: "--from cls: the days of traffic to read" },
    prefix: { type: "string", value: "PREFIX", description: "--from audit: the store's key prefix (default: MINIASK_STORE_PREFIX, else miniask:<stage>:)" },
    trace: { type: "string", value: "FILE", description: "a trace file instead: JSON lines with \"time\" (and fn, ms, status), or a CSV whose first column is a timestamp" },
    shape: { type: "string", choices: ["9am"], description: "the built-in 9:00 class shape instead" },
    fn: { type: "string", value: "NAME", description: "plan this function only (default: every function in the traffic)" },
    "max-concurrency": { type: "number", description: "requests per instance the candidates go up to (default: what npm run capacity recommended)" },
    target: { type: "number", value: "PCT", default: 1, description: "at most this % of requests meet a cold start" },
    scope: { type: "string", choices: ["slot", "minute", "all"], default: "slot", description: "where the target holds: in every 5-minute slot, every minute, or over all requests" },
    "min-requests": { type: "number", default: 100, description: "windows with fewer requests are not judged" },
    "idle-price": { type: "number", value: "PRICE", default: DEFAULT_PRICES.idlePerGbSecond, description: "the idle provisioned price per GB-s (a setting: prices change)" },
    currency: { type: "string", value: "CODE", default: DEFAULT_PRICES.currency, description: "the idle price's currency" },
    margin: { type: "number", value: "MIN", default: 5, description: "minutes a schedule starts before the need" },
    stage: { type: "string", value: "NAME", default: "prod", description: "the stage whose concurrency applies and --write writes" },
    ...REPLAY_MODEL_OPTIONS,
    write: { type: "boolean", description: "write the recommendation into scripts/deploy/stages.yml" },
    root: { type: "string", value: "DIR", description: "the checkout whose stages file is read and written (tests write into a copy)" },
    json: { type: "string", value: "FILE", description: "also write every function's plan as JSON" },
  },
  notes: ["one traffic source: --from cls, --from audit, --trace FILE or --shape 9am"],
});

async function traffic(flags: Flags): Promise<{ requests: TraceRequest[]; source: string }> {
  const trace = stringFlag(flags, "trace");
  if (trace) return { requests: readTraceFile(trace), source: trace };
  if (stringFlag(flags, "shape") === "9am") return { requests: nineAmTrace(NINE_AM, latencyFrom(flags), numberFlag(flags, "seed", 1)).map((r) => ({ at: r.at, ms: r.serviceMs })), source: "the built-in 9:00 class shape (shapes.ts)" };
  if (stringFlag(flags, "from") === "cls") {
    // Staging and prod: the audit trail is the log service's (Redis keeps records for the replay window only).
    const read = await readClsTraffic({ topic: stringFlag(flags, "cls-topic"), region: stringFlag(flags, "cls-region"), days: numberFlag(flags, "days", 7) }, process.env);
    return { requests: read.requests, source: read.source };
  }
  if (stringFlag(flags, "from") !== "audit") throw new UsageError("give the traffic: --from cls (the log service's audit lines), --from audit (the store's audit records), --trace FILE or --shape 9am");
  const url = process.env.MINIASK_STORE;
  if (!url?.startsWith("redis")) throw new Error("--from audit reads the store over Redis: set MINIASK_STORE=redis://... (and MINIASK_STORE_PREFIX if the functions use one)");
  await requireReachableSpec(url, process.env);
  const prefix = stringFlag(flags, "prefix") ?? process.env.MINIASK_STORE_PREFIX ?? `miniask:${stringFlag(flags, "stage") ?? "prod"}:`;
  const read = await readAuditRecords(url, prefix);
  return { requests: read.requests, source: `${read.keys} audit records under "${prefix}audit:v1:*"${read.skipped ? ` (${read.skipped} unreadable)` : ""}` };
}

function scopeFlag(flags: Flags): TargetScope {
  const scope = stringFlag(flags, "scope") ?? "slot";
  if (scope !== "minute" && scope !== "slot" && scope !== "all") throw new Error(`--scope: expected minute, slot or all, got "${scope}"`);
  return scope;
}

const clock = (slot: number) => `${String(Math.floor((slot * 5) / 60)).padStart(2, "0")}:${String((slot * 5) % 60).padStart(2, "0")}`;

/** Requests per instance the candidates go up to: --max-concurrency, else what `npm run capacity` recommended for `fn`. */
function concurrencyLimit(flags: Flags, fn: string, configured: number): number {
  return numberFlag(flags, "max-concurrency", MEASURED.maxConcurrency[fn] ?? configured);
}

export async function planFunction(flags: Flags, fn: string, all: readonly TraceRequest[]) {
  const seed = numberFlag(flags, "seed", 1);
  const requests = replayRequests(all, fn, latencyFrom(flags), seed);
  const intervals = requests.map((r) => ({ at: r.at, ms: r.serviceMs }));
  const slots = concurrencyPerSlot(intervals);
  const profile = dailyProfile(slots);
  const days = daysSeen(intervals);
  const cold = await coldStartSamples(flags, fn);
  const root = stringFlag(flags, "root") ?? ROOT;
  const configured = flags["per-instance"] === undefined ? readConcurrency(root, stringFlag(flags, "stage") ?? "prod", fn) : { perInstance: numberFlag(flags, "per-instance", 1), source: "--per-instance" };
  const model = modelFrom(flags, cold.samples, { perInstanceConcurrency: configured.perInstance });
  const prices: Prices = { idlePerGbSecond: numberFlag(flags, "idle-price", DEFAULT_PRICES.idlePerGbSecond), currency: stringFlag(flags, "currency") ?? DEFAULT_PRICES.currency };
  const firstDay = Math.floor((requests[0]!.at + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
  const limit = concurrencyLimit(flags, fn, configured.perInstance);
  const candidates = flags["per-instance"] === undefined ? concurrencyCandidates(configured.perInstance, limit) : [configured.perInstance];
  const inputs = {
    requests,
    profile,
    days,
    startMs: firstDay,
    endMs: firstDay + days * DAY,
    target: { maxColdPct: numberFlag(flags, "target", 1), scope: scopeFlag(flags), minWindowRequests: numberFlag(flags, "min-requests", 100) },
    prices,
    seed,
    marginMinutes: numberFlag(flags, "margin", 5),
  };
  const { options, chosen } = planConcurrency(inputs, model, candidates, { intervals, slots });
  return { fn, days, profile, plan: chosen.plan, perInstance: chosen.perInstance, options, configured, limit, model, prices, cold };
}

function print(r: Awaited<ReturnType<typeof planFunction>>, target: string): string {
  const busy = r.profile.filter((s) => s.peak > 0);
  const money = (n: number) => `${r.prices.currency} ${n.toFixed(2)}`;
  const lines = [
    `${r.fn}: ${r.days} day(s) seen; concurrency per 5-minute slot (Beijing time; highest over the days: peak in flight, and Little's law L = arrivals/s x mean latency)`,
    renderTable(busy.map((s) => [clock(s.slot), s.peak, s.little.toFixed(1)]), ["slot", "peak", "L"]),
    "",
    `Candidates, replayed through the instance model (cold start ${r.cold.source}); target: ${target}; idle price ${r.prices.idlePerGbSecond} ${r.prices.currency}/GB-s (a setting: prices change)`,
    `Provisioned candidates at ${r.perInstance} request(s) per instance:`,
    renderTable(
      r.plan.candidates.map((c) => [c.name, c.summary.coldHits, `${c.summary.coldPct.toFixed(2)}%`, `${c.summary.worstWindowColdPct.toFixed(2)}%`, Math.round(c.summary.p99), money(c.monthlyIdleCost), Math.round(c.coldStartsSavedPerMonth), c.meetsTarget ? "yes" : "no"]),
      ["setting", "cold starts", "cold %", "worst window", "p99 ms", `idle cost / ${DAYS_PER_MONTH} days`, "cold starts saved / month", "meets target"],
    ),
    "",
    `Requests per instance (${r.configured.source}; candidates up to ${r.limit}, what the capacity run found the CPU share carries), each with its cheapest provisioned setting; ${r.model.cpuMsPerRequest} ms CPU a request on ${(r.model.cpuShare * 100).toFixed(1)}% of a core`,
    renderTable(
      r.options.map((o) => [o.perInstance, o.plan.chosen.name, `${o.plan.chosen.summary.coldPct.toFixed(2)}%`, `${o.plan.chosen.summary.worstWindowColdPct.toFixed(2)}%`, Math.round(o.plan.chosen.summary.p99), Math.round(o.plan.chosen.summary.activeInstanceGbSeconds), o.plan.chosen.summary.instanceGbSecondsPer1000.toFixed(0), Math.round(o.plan.chosen.summary.idleProvisionedGbSeconds), Math.round(gbSecondsOf(o.plan.chosen)), o.plan.chosen.meetsTarget ? "yes" : "no"]),
      ["per instance", "provisioned", "cold %", "worst window", "p99 ms", "instance GB-s", "per 1,000 answers", "idle GB-s", "total GB-s", "meets target"],
    ),
    BILLING_NOTE,
    "",
    `Recommended: ${r.perInstance} request(s) per instance (stages.yml concurrency.${r.fn}: { mode: static, max: ${r.perInstance} }) with ${r.plan.chosen.name}${r.plan.chosen.meetsTarget ? "" : " (NO candidate met the target: this is the closest)"}`,
    r.plan.chosen.provisioned ? `  ${describeProvisioned(r.plan.chosen.provisioned)}\n  ${JSON.stringify(r.plan.chosen.provisioned)}` : "  no provisioned concurrency",
    `  ${money(r.plan.chosen.monthlyIdleCost)} a month idle, ${Math.round(r.plan.chosen.coldStartsSavedPerMonth)} cold starts a month saved`,
  ];
  return lines.join("\n");
}

function write(root: string, stage: string, fn: string, plan: Plan): string {
  const provisioned = plan.chosen.provisioned;
  if (!provisioned) return `--write: the recommendation is no provisioned concurrency for ${fn}; ${STAGES_FILE} left as it is (remove its entry by hand if it has one)`;
  const path = join(root, STAGES_FILE);
  writeFileSync(path, writeProvisionedSchedule(readFileSync(path, "utf8"), stage, fn, provisioned));
  return `--write: ${STAGES_FILE} stages.${stage}.provisioned.${fn} updated; \`npm run deploy -- --stage ${stage}\` applies it`;
}

async function main(parsed: Parsed<typeof PLAN_COMMAND.options>): Promise<void> {
  const flags = flagsOf(parsed);
  const { requests, source } = await traffic(flags);
  if (requests.length === 0) throw new Error(`${source}: no requests`);
  const fns = stringFlag(flags, "fn") ? [stringFlag(flags, "fn")!] : [...new Set(requests.map((r) => r.fn ?? "summarize"))].sort();
  const stage = stringFlag(flags, "stage") ?? "prod";
  const target = `at most ${numberFlag(flags, "target", 1)}% of requests meet a cold start in every ${stringFlag(flags, "scope") ?? "slot"} with >= ${numberFlag(flags, "min-requests", 100)} requests`;
  console.log(`${requests.length} requests from ${source}; slots of ${SLOT_MS / 60_000} minutes\n`);
  // --root: another checkout (the tests write into a copy, never into this one).
  const root = stringFlag(flags, "root") ?? ROOT;
  if (flags.write) refuseUnknownFunctions(fns, root);
  const results = [];
  const progress = createProgress("plan", fns.length, "functions");
  for (const fn of fns) {
    // The line is cleared before each function's plan is printed (stdout shares the terminal).
    progress.status(fn);
    const r = await planFunction(flags, fn, requests).finally(progress.done);
    progress.tick();
    progress.done();
    results.push(r);
    console.log(`${print(r, target)}\n`);
    if (flags.write) console.log(`${write(root, stage, fn, r.plan)}\n`);
  }
  const json = stringFlag(flags, "json");
  if (json) writeFileSync(json, `${JSON.stringify(results.map((r) => ({ fn: r.fn, days: r.days, perInstance: r.perInstance, byConcurrency: r.options.map((o) => ({ perInstance: o.perInstance, provisioned: o.plan.chosen.name, summary: o.plan.chosen.summary, meetsTarget: o.plan.chosen.meetsTarget, totalGbSeconds: o.totalGbSeconds })), chosen: { name: r.plan.chosen.name, provisioned: r.plan.chosen.provisioned, meetsTarget: r.plan.chosen.meetsTarget, monthlyIdleCost: r.plan.chosen.monthlyIdleCost }, candidates: r.plan.candidates.map((c) => ({ name: c.name, summary: c.summary, meetsTarget: c.meetsTarget, monthlyIdleCost: c.monthlyIdleCost, coldStartsSavedPerMonth: c.coldStartsSavedPerMonth })) })), null, 2)}\n`);
}

if (process.argv[1]?.endsWith("plan.ts")) runCli(PLAN_COMMAND, main);
