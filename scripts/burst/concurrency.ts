// How many requests were in flight: per 5-minute slot of the trace (peak by an exact sweep, mean
// by Little's law), and per slot of the (Beijing) day over all days seen.
import { DAY, MINUTE } from "./shapes";

export const SLOT_MS = 5 * MINUTE;
export const SLOTS_PER_DAY = DAY / SLOT_MS;
const BEIJING_MS = 8 * 3_600_000;

export interface Interval {
  at: number;
  ms: number;
}

export interface SlotConcurrency {
  slotStart: number;
  arrivals: number;
  /** Little's law: L = lambda * W (arrivals per second times mean latency in seconds). */
  littleConcurrency: number;
  /** Most requests in flight at any instant of the slot (counting those carried in). */
  peakConcurrency: number;
}

export function littlesLaw(arrivals: number, windowMs: number, meanLatencyMs: number): number {
  return arrivals === 0 ? 0 : (arrivals / (windowMs / 1000)) * (meanLatencyMs / 1000);
}

export function concurrencyPerSlot(requests: readonly Interval[], slotMs = SLOT_MS): SlotConcurrency[] {
  if (requests.length === 0) return [];
  // Loops, not Math.min(...spread): a trace of a few hundred thousand requests overflows the stack.
  let min = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of requests) {
    min = Math.min(min, r.at);
    last = Math.max(last, r.at + r.ms);
  }
  const first = Math.floor(min / slotMs) * slotMs;
  const count = Math.floor((last - first) / slotMs) + 1;
  const slots = Array.from({ length: count }, (_, i) => ({ slotStart: first + i * slotMs, arrivals: 0, latencySum: 0, peakConcurrency: 0 }));
  const edges: [number, number][] = [];
  for (const r of requests) {
    const slot = slots[Math.floor((r.at - first) / slotMs)]!;
    slot.arrivals += 1;
    slot.latencySum += r.ms;
    edges.push([r.at, 1], [r.at + r.ms, -1]);
  }
  // Ends before starts at the same instant: a request that ends as another begins frees its slot.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0;
  let slotIndex = 0;
  for (const [t, delta] of edges) {
    const index = Math.floor((t - first) / slotMs);
    // Slots passed over carry the level they were entered with.
    for (; slotIndex < index; slotIndex++) slots[slotIndex + 1]!.peakConcurrency = Math.max(slots[slotIndex + 1]!.peakConcurrency, inFlight);
    inFlight += delta;
    slots[index]!.peakConcurrency = Math.max(slots[index]!.peakConcurrency, inFlight);
  }
  return slots.map((s) => ({ slotStart: s.slotStart, arrivals: s.arrivals, littleConcurrency: littlesLaw(s.arrivals, slotMs, s.arrivals ? s.latencySum / s.arrivals : 0), peakConcurrency: s.peakConcurrency }));
}

export interface DailySlot {
  /** 0..287: minutes since Beijing midnight / 5. */
  slot: number;
  /** Highest peak in this slot over the days seen. */
  peak: number;
  /** Highest Little's-law mean over the days seen. */
  little: number;
  /** Highest peak per Beijing weekday (index 0 = Sunday); -1 for a weekday not seen. */
  peakByWeekday: number[];
}

export function beijingSlotOfDay(t: number): number {
  return Math.floor((((t + BEIJING_MS) % DAY) + DAY) % DAY / SLOT_MS);
}

export function beijingWeekday(t: number): number {
  return new Date(t + BEIJING_MS).getUTCDay();
}

export function dailyProfile(slots: readonly SlotConcurrency[]): DailySlot[] {
  const profile: DailySlot[] = Array.from({ length: SLOTS_PER_DAY }, (_, slot) => ({ slot, peak: 0, little: 0, peakByWeekday: [-1, -1, -1, -1, -1, -1, -1] }));
  for (const s of slots) {
    const p = profile[beijingSlotOfDay(s.slotStart)]!;
    p.peak = Math.max(p.peak, s.peakConcurrency);
    p.little = Math.max(p.little, s.littleConcurrency);
    const d = beijingWeekday(s.slotStart);
    p.peakByWeekday[d] = Math.max(p.peakByWeekday[d]!, s.peakConcurrency);
  }
  return profile;
}

/** Days the trace spans (whole Beijing days, at least one). */
export function daysSeen(requests: readonly Interval[]): number {
  const days = new Set(requests.map((r) => Math.floor((r.at + BEIJING_MS) / DAY)));
  return Math.max(1, days.size);
}

/**
 * For each Beijing day, where its traced traffic begins and how many instances its first slot
 * needed: the warm pool a replay of that day starts with (see simulate's `warmAt`).
 */
export function dayStarts(requests: readonly Interval[], slots: readonly SlotConcurrency[], perInstance: number): { at: number; count: number }[] {
  const firstOfDay = new Map<number, number>();
  for (const r of requests) {
    const day = Math.floor((r.at + BEIJING_MS) / DAY);
    firstOfDay.set(day, Math.min(firstOfDay.get(day) ?? Number.POSITIVE_INFINITY, r.at));
  }
  const bySlot = new Map(slots.map((s) => [s.slotStart, s.peakConcurrency]));
  return [...firstOfDay.values()].sort((a, b) => a - b).map((at) => ({ at, count: Math.ceil((bySlot.get(Math.floor(at / SLOT_MS) * SLOT_MS) ?? 0) / perInstance) }));
}
