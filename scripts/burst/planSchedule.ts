// From the concurrency a function needed per slot of the day to a provisioned-concurrency
// setting: candidates (none, a static floor, scheduled ramps around the peaks, tracking), each
// replayed through the instance model, and the cheapest that meets the cold-start target.
import type { Provisioned } from "../../lib/deploy/manifest";
import { dailyCron } from "./cron";
import { type DailySlot, SLOT_MS, SLOTS_PER_DAY } from "./concurrency";
import { idleCost, monthly, type Prices } from "./cost";
import type { InstanceModel, ReplayRequest } from "./instanceModel";
import { simulate } from "./simulate";
import { type Summary, summarize, type TargetScope } from "./summarize";

export interface PeakWindow {
  /** First and one-past-last slot of the day (5-minute slots from Beijing midnight). */
  fromSlot: number;
  toSlot: number;
  peak: number;
  weekdays: Set<number>;
}

export interface Target {
  /** At most this % of requests meet a cold start ... */
  maxColdPct: number;
  /** ... in every minute, every 5-minute slot, or over the whole trace. */
  scope: TargetScope;
  minWindowRequests: number;
}

export interface PlanInputs {
  requests: readonly ReplayRequest[];
  profile: readonly DailySlot[];
  days: number;
  startMs: number;
  endMs: number;
  model: InstanceModel;
  target: Target;
  prices: Prices;
  seed: number;
  /** Minutes added to each ramp's launch time (100/min) before the peak. */
  marginMinutes: number;
  /** Warm instances each traced day starts with (concurrency.ts dayStarts); none: a cold start of day. */
  warmAt: readonly { at: number; count: number }[];
}

export interface Candidate {
  name: string;
  provisioned?: Provisioned;
  summary: Summary;
  meetsTarget: boolean;
  monthlyIdleCost: number;
  /** Cold starts per month the setting saves against no provisioned concurrency. */
  coldStartsSavedPerMonth: number;
}

/** The instances a slot needed: its peak in flight over the per-instance limit. */
export function instancesNeeded(slot: DailySlot, perInstance: number): number {
  return Math.ceil(slot.peak / perInstance);
}

/** The level most of the day sits at: the median over slots that saw traffic. */
export function baseLevel(needed: readonly number[]): number {
  const busy = needed.filter((n) => n > 0).sort((a, b) => a - b);
  return busy.length ? busy[Math.floor((busy.length - 1) / 2)]! : 0;
}

/** Runs of slots well above the base (gaps of one slot bridged): where ramps go. */
export function peakWindows(profile: readonly DailySlot[], perInstance: number): PeakWindow[] {
  const needed = profile.map((s) => instancesNeeded(s, perInstance));
  const base = baseLevel(needed);
  const threshold = Math.max(base * 1.5, base + 5);
  const windows: PeakWindow[] = [];
  for (let s = 0; s < SLOTS_PER_DAY; s++) {
    if (needed[s]! <= threshold) continue;
    const days = profile[s]!.peakByWeekday.flatMap((p, d) => (Math.ceil(p / perInstance) > threshold ? [d] : []));
    const last = windows.at(-1);
    if (last && s - last.toSlot <= 1) {
      last.toSlot = s + 1;
      last.peak = Math.max(last.peak, needed[s]!);
      for (const d of days) last.weekdays.add(d);
    } else windows.push({ fromSlot: s, toSlot: s + 1, peak: needed[s]!, weekdays: new Set(days) });
  }
  return windows;
}

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * The cron's week field: "*" for every day, "MON-FRI" for weekdays, else a list. A trace shorter
 * than a week cannot tell which weekdays peak: then every day.
 */
export function weekField(days: Set<number>, weekdaysSeen: number): string {
  const sorted = [...days].sort((a, b) => a - b);
  if (weekdaysSeen < 7 || sorted.length === 0 || sorted.length === 7) return "*";
  if (sorted.join(",") === "1,2,3,4,5") return "MON-FRI";
  return sorted.map((d) => DAY_NAMES[d]).join(",");
}

/** Minutes to launch `count` provisioned instances at the documented rate, plus a margin. */
export function leadMinutes(count: number, startsPerMinute: number, marginMinutes: number): number {
  return Math.ceil(count / startsPerMinute) + marginMinutes;
}

const hhmm = (minuteOfDay: number) => `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}${String(minuteOfDay % 60).padStart(2, "0")}`;

export function scheduledSetting(windows: readonly PeakWindow[], floor: number, rampFactor: number, model: InstanceModel, marginMinutes: number, weekdaysSeen: number): Provisioned {
  const actions = windows.flatMap((w) => {
    const count = Math.max(floor, Math.ceil(w.peak * rampFactor));
    const slotMinutes = SLOT_MS / 60_000;
    const rampAt = (((w.fromSlot * slotMinutes - leadMinutes(count - floor, model.provisionedStartsPerMinute, marginMinutes)) % 1440) + 1440) % 1440;
    const downAt = (w.toSlot * slotMinutes) % 1440;
    const week = weekField(w.weekdays, weekdaysSeen);
    return [
      { name: `ramp-${hhmm(rampAt)}`, count, cron: dailyCron(Math.floor(rampAt / 60), rampAt % 60, week) },
      { name: `after-${hhmm(downAt)}`, count: floor, cron: dailyCron(Math.floor(downAt / 60), downAt % 60, week) },
    ];
  });
  return { mode: "scheduled", count: floor, actions };
}

export function weekdaysSeen(profile: readonly DailySlot[]): number {
  return [0, 1, 2, 3, 4, 5, 6].filter((d) => profile.some((s) => s.peakByWeekday[d]! >= 0)).length;
}

function candidateSettings(inputs: PlanInputs): { name: string; provisioned?: Provisioned }[] {
  const per = inputs.model.perInstanceConcurrency;
  const needed = inputs.profile.map((s) => instancesNeeded(s, per));
  const base = baseLevel(needed);
  const top = needed.reduce((a, b) => Math.max(a, b), 0);
  const windows = peakWindows(inputs.profile, per);
  const out: { name: string; provisioned?: Provisioned }[] = [{ name: "none" }];
  if (base > 0) out.push({ name: `static floor ${base}`, provisioned: { mode: "static", count: base } });
  if (top > 0) out.push({ name: `static peak ${top}`, provisioned: { mode: "static", count: top } });
  if (top > 0) out.push({ name: "tracking 60%", provisioned: { mode: "tracking", target: 0.6, min: Math.max(1, base), max: Math.max(1, base, top) } });
  if (windows.length > 0) {
    for (const floor of base > 0 ? [0, base] : [0]) {
      for (const f of [0.75, 1, 1.25]) out.push({ name: `scheduled floor ${floor}, ramps at ${Math.round(f * 100)}% of peak`, provisioned: scheduledSetting(windows, floor, f, inputs.model, inputs.marginMinutes, weekdaysSeen(inputs.profile)) });
    }
  }
  return out;
}

export function evaluate(inputs: PlanInputs, name: string, provisioned: Provisioned | undefined, noneColdStarts: number | undefined): Candidate {
  const result = simulate(inputs.requests, { name, ...(provisioned ? { provisioned } : {}) }, inputs.model, { seed: inputs.seed, startMs: inputs.startMs, endMs: inputs.endMs, warmAt: inputs.warmAt });
  const summary = summarize(result, inputs.target.scope, inputs.target.minWindowRequests);
  const meetsTarget = (inputs.target.scope === "all" ? summary.coldPct : summary.worstWindowColdPct) <= inputs.target.maxColdPct && summary.throttled429 + summary.overQuota432 === 0;
  return {
    name,
    ...(provisioned ? { provisioned } : {}),
    summary,
    meetsTarget,
    monthlyIdleCost: monthly(idleCost(summary.idleProvisionedGbSeconds, inputs.prices), inputs.days),
    coldStartsSavedPerMonth: monthly((noneColdStarts ?? summary.coldHits) - summary.coldHits, inputs.days),
  };
}

export interface Plan {
  candidates: Candidate[];
  chosen: Candidate;
  windows: PeakWindow[];
}

export function planProvisioned(inputs: PlanInputs): Plan {
  const settings = candidateSettings(inputs);
  const none = evaluate(inputs, "none", undefined, undefined);
  const candidates = [none, ...settings.slice(1).map((s) => evaluate(inputs, s.name, s.provisioned, none.summary.coldHits))];
  const meeting = candidates.filter((c) => c.meetsTarget).sort((a, b) => a.monthlyIdleCost - b.monthlyIdleCost || a.summary.coldHits - b.summary.coldHits);
  const closest = [...candidates].sort((a, b) => a.summary.worstWindowColdPct - b.summary.worstWindowColdPct || a.monthlyIdleCost - b.monthlyIdleCost);
  return { candidates, chosen: meeting[0] ?? closest[0]!, windows: peakWindows(inputs.profile, inputs.model.perInstanceConcurrency) };
}
