// Traffic to replay when no trace is given: the built-in "9:00 class" shape, and the generated
// "steady load plus a daily spike" trace the plan's tests know the answer for.
import type { ReplayRequest } from "./instanceModel";
import { drawLatency, exponentialGapMs, type LatencyModel, seededRandom } from "./random";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const BEIJING_MS = 8 * HOUR;

/** Epoch ms of hh:mm Beijing time on a UTC calendar date (YYYY-MM-DD). */
export function beijingTime(date: string, hour: number, minute = 0): number {
  return Date.parse(`${date}T00:00:00Z`) + hour * HOUR + minute * MINUTE - BEIJING_MS;
}

/** Non-homogeneous Poisson arrivals by thinning: exact for any rate curve under `maxPerSecond`. */
export function arrivals(ratePerSecond: (t: number) => number, fromMs: number, toMs: number, maxPerSecond: number, random: () => number): number[] {
  const out: number[] = [];
  for (let t = fromMs + exponentialGapMs(random, maxPerSecond); t < toMs; t += exponentialGapMs(random, maxPerSecond)) {
    if (random() * maxPerSecond < ratePerSecond(t)) out.push(t);
  }
  return out;
}

/** LLM answers: a median of seconds with a long right tail. */
export const DEFAULT_LATENCY: LatencyModel = { medianMs: 3000, sigma: 0.5 };

/** Mean of the log-normal: median * e^(sigma^2 / 2). Little's law needs the mean, not the median. */
export function meanLatencyMs(model: LatencyModel): number {
  return model.medianMs * Math.exp((model.sigma * model.sigma) / 2);
}

export interface NineAmShape {
  /** A weekday (the manifest's ramp runs MON-FRI): Monday 2026-11-23. */
  date: string;
  fromMinute: number;
  toMinute: number;
  /** Requests a second before the class (a few users already in). */
  baselinePerSecond: number;
  /** The rush as the class opens its Mini Program at 9:00. */
  peakPerSecond: number;
  /** How fast the rush fades (exponential time constant). */
  decayMinutes: number;
  /** Where it settles during the class. */
  settledPerSecond: number;
}

export const NINE_AM: NineAmShape = { date: "2026-11-23", fromMinute: 8 * 60 + 50, toMinute: 9 * 60 + 20, baselinePerSecond: 0.5, peakPerSecond: 40, decayMinutes: 4, settledPerSecond: 4 };

export function nineAmRate(shape: NineAmShape): (t: number) => number {
  const nine = beijingTime(shape.date, 9);
  return (t) => {
    if (t < nine) return shape.baselinePerSecond;
    const minutes = (t - nine) / MINUTE;
    // Everyone opens it within the first minute, then the rush fades to the class's own pace.
    const rush = minutes < 1 ? shape.peakPerSecond * minutes + shape.settledPerSecond * (1 - minutes) : shape.settledPerSecond + (shape.peakPerSecond - shape.settledPerSecond) * Math.exp(-(minutes - 1) / shape.decayMinutes);
    return Math.max(shape.baselinePerSecond, rush);
  };
}

export function nineAmTrace(shape: NineAmShape, latency: LatencyModel, seed: number): ReplayRequest[] {
  const random = seededRandom(seed);
  const from = beijingTime(shape.date, 0, shape.fromMinute);
  const to = beijingTime(shape.date, 0, shape.toMinute);
  return arrivals(nineAmRate(shape), from, to, shape.peakPerSecond, random).map((at) => ({ at, serviceMs: drawLatency(random, latency) }));
}

export interface SteadySpike {
  /** First day (UTC calendar date); `days` consecutive days follow. */
  date: string;
  days: number;
  /** Beijing hours of each day that carry traffic. */
  fromHour: number;
  toHour: number;
  steadyConcurrency: number;
  spikeConcurrency: number;
  spikeHour: number;
  spikeMinutes: number;
}

/**
 * Concurrency C at mean latency W needs an arrival rate of C / W (Little's law): the generated
 * trace holds `steadyConcurrency` in flight on average, and `spikeConcurrency` from spikeHour:00.
 */
export function steadySpikeTrace(spec: SteadySpike, latency: LatencyModel, seed: number): ReplayRequest[] {
  const random = seededRandom(seed);
  const meanSeconds = meanLatencyMs(latency) / 1000;
  const out: ReplayRequest[] = [];
  for (let d = 0; d < spec.days; d++) {
    const date = new Date(Date.parse(`${spec.date}T00:00:00Z`) + d * DAY).toISOString().slice(0, 10);
    const spikeFrom = beijingTime(date, spec.spikeHour);
    const spikeTo = spikeFrom + spec.spikeMinutes * MINUTE;
    const rate = (t: number) => (t >= spikeFrom && t < spikeTo ? spec.spikeConcurrency : spec.steadyConcurrency) / meanSeconds;
    for (const at of arrivals(rate, beijingTime(date, spec.fromHour), beijingTime(date, spec.toHour), spec.spikeConcurrency / meanSeconds, random)) out.push({ at, serviceMs: drawLatency(random, latency) });
  }
  return out;
}
