// Sharing breakers across instances without a round trip of their own: each instance reads
// every target's shared snapshot in the admission round trip it already makes (HGETALL next to
// the limit script) and writes its own transitions in the record step's MULTI. Half-open is
// never shared: each instance sends at most one probe of its own once the shared cool-down is
// over, and the first probe that succeeds closes the target for everyone.
import * as z from "zod/mini";
import { parseStoredJson } from "../validation/parseStored";
import type { BreakerSettings } from "./breakerSettings";
import { type BreakerState, closedBreaker, type OpenReason, type Transition } from "./circuitBreaker";

const openReasons = ["consecutive_failures", "failure_rate", "probe_failed", "shared", "out_of_funds", "retry_after"] as const satisfies readonly OpenReason[];

/** One target's shared state: a hash field's JSON value, a few dozen bytes. */
export const sharedSnapshotSchema = z.union([
  z.object({
    s: z.literal("open"),
    /** When it opened (the writer's clock, ms since epoch). */
    at: z.number(),
    /** End of the cool-down. */
    until: z.number(),
    r: z.enum(openReasons),
    /** Human-readable reason ("5 failures in a row (last: timeout)"). */
    d: z.optional(z.string()),
    /** Failed probes so far: the next cool-down grows from here. */
    n: z.optional(z.int()),
  }),
  z.object({ s: z.literal("closed"), at: z.number() }),
]);

export type SharedSnapshot = z.infer<typeof sharedSnapshotSchema>;

const MAX_DETAIL_CHARS = 200;

/** What to write for a transition; nothing for half_open, nor for what was read from the store. */
export function snapshotOfTransition(transition: Transition): SharedSnapshot | undefined {
  if (transition.type === "half_open" || transition.source === "shared") return undefined;
  if (transition.type === "closed") return { s: "closed", at: transition.atMs };
  return { s: "open", at: transition.atMs, until: transition.untilMs, r: transition.reason, d: transition.detail.slice(0, MAX_DETAIL_CHARS), n: transition.reopenCount };
}

/** A stored field value, or undefined when it is not one of ours (never throws on store data). */
export function parseSnapshot(raw: string | undefined): SharedSnapshot | undefined {
  return parseStoredJson(sharedSnapshotSchema, raw);
}

/**
 * Folds what the store says into this instance's breaker:
 * - shared open (not stale), local closed since before it opened -> open until the shared end;
 * - shared open, local open -> keep ours, but never end the cool-down before the shared one;
 * - shared open, local half-open -> ours: our probe is out and will decide;
 * - shared closed after our opening -> closed (someone's probe succeeded);
 * - anything else (older news, unreadable field) -> unchanged.
 */
export function mergeShared(local: BreakerState, shared: SharedSnapshot | undefined, nowMs: number, settings: BreakerSettings): { state: BreakerState; transition?: Transition } {
  if (!shared || !settings.enabled) return { state: local };
  if (shared.s === "closed") {
    if (local.kind !== "closed" && shared.at > local.openedAtMs) {
      return { state: closedBreaker(shared.at), transition: { type: "closed", atMs: nowMs, source: "shared" } };
    }
    return { state: local };
  }
  if (shared.until + settings.shared_stale_ms <= nowMs) return { state: local };
  if (local.kind === "closed") {
    if (shared.at <= local.sinceMs) return { state: local };
    const detail = shared.d ?? shared.r;
    return {
      state: { kind: "open", openedAtMs: shared.at, untilMs: shared.until, reason: "shared", detail, reopenCount: shared.n ?? 0 },
      transition: { type: "opened", atMs: nowMs, untilMs: shared.until, reason: "shared", detail, reopenCount: shared.n ?? 0, source: "shared" },
    };
  }
  if (local.kind === "open" && shared.until > local.untilMs) {
    return { state: { ...local, untilMs: shared.until, reopenCount: Math.max(local.reopenCount, shared.n ?? 0) } };
  }
  return { state: local };
}
