// One circuit breaker as a pure state machine: every function takes a state and the time and
// returns the next state (and any transition), never touching a clock, a store or a logger.
// closed --(N failures in a row, or a failure rate over the window; either from enough users)--> open
// open --(cool-down over: the next caller is the probe)--> half_open
// half_open --(probe ok)--> closed, --(probe failed)--> open with a longer cool-down
import type { BreakerSettings } from "./breakerSettings";

/**
 * Why a breaker opened; `shared` when another instance opened it (read from the store);
 * `out_of_funds` and `retry_after` when the provider said so (held open by holdOpen).
 */
export type OpenReason = "consecutive_failures" | "failure_rate" | "probe_failed" | "shared" | "out_of_funds" | "retry_after";

/** What a provider says that opens its breaker at once (holdOpen). */
export type HoldReason = Extract<OpenReason, "out_of_funds" | "retry_after">;

/** Calls of one slice of the window (a tenth of it): counts, not a list, so memory stays flat. */
export interface WindowBucket {
  startMs: number;
  successes: number;
  failures: number;
  /** Who failed in this slice (user hashes), at most min_failing_users of them: all a rule needs. */
  failingUsers?: readonly string[];
}

export type BreakerState =
  /** `sinceMs`: when it last closed (0 for a fresh one), so an older shared "open" cannot reopen it. */
  | { kind: "closed"; sinceMs: number; consecutiveFailures: number; buckets: readonly WindowBucket[]; lastFailure?: string; /** Distinct users of the current run of failures (capped). */ failingUsers?: readonly string[] }
  | { kind: "open"; openedAtMs: number; untilMs: number; reason: OpenReason; detail: string; reopenCount: number }
  | { kind: "half_open"; openedAtMs: number; probeStartedAtMs: number; reason: OpenReason; detail: string; reopenCount: number };

/** A state change, for the caller to log (and to write to the shared store when `source` is local). */
export type Transition =
  | { type: "opened"; atMs: number; untilMs: number; reason: OpenReason; detail: string; reopenCount: number; source: "local" | "shared" }
  | { type: "half_open"; atMs: number }
  | { type: "closed"; atMs: number; source: "local" | "shared" };

export type Admission =
  | { allowed: true; probe: boolean }
  | { allowed: false; reason: "open" | "probe_in_flight"; untilMs: number; detail: string };

/** What a finished call means for its target's health (see attemptVerdict). */
export type Verdict = "success" | "failure";

export const WINDOW_BUCKETS = 10;

export function closedBreaker(sinceMs = 0): BreakerState {
  return { kind: "closed", sinceMs, consecutiveFailures: 0, buckets: [] };
}

export function cooldownFor(reopenCount: number, settings: BreakerSettings): number {
  return Math.min(settings.max_cooldown_ms, Math.round(settings.cooldown_ms * settings.cooldown_multiplier ** reopenCount));
}

/** May a call go to this target now? A caller let through as the probe must report back with `probe: true`. */
export function admitCall(state: BreakerState, nowMs: number, settings: BreakerSettings): { state: BreakerState; admission: Admission; transition?: Transition } {
  if (!settings.enabled || state.kind === "closed") return { state, admission: { allowed: true, probe: false } };
  if (state.kind === "open") {
    if (nowMs < state.untilMs) return { state, admission: { allowed: false, reason: "open", untilMs: state.untilMs, detail: state.detail } };
    const next: BreakerState = { kind: "half_open", openedAtMs: state.openedAtMs, probeStartedAtMs: nowMs, reason: state.reason, detail: state.detail, reopenCount: state.reopenCount };
    return { state: next, admission: { allowed: true, probe: true }, transition: { type: "half_open", atMs: nowMs } };
  }
  const leaseEnd = state.probeStartedAtMs + settings.probe_lease_ms;
  if (nowMs < leaseEnd) return { state, admission: { allowed: false, reason: "probe_in_flight", untilMs: leaseEnd, detail: state.detail } };
  // The last probe never reported: this caller takes over the slot.
  return { state: { ...state, probeStartedAtMs: nowMs }, admission: { allowed: true, probe: true } };
}

/**
 * `who` plus what is known, distinct and capped at `cap`. A call without a user (an operator's
 * script) has nobody to blame: it counts as a user of its own, a name no user hash can take.
 */
export function withUser(users: readonly string[], who: string | undefined, nowMs: number, cap: number): readonly string[] {
  const name = who ?? `?${nowMs}:${users.length}`;
  return users.length >= cap || users.includes(name) ? users : [...users, name];
}

/** The outcome of a call that admitCall let through; `who`: the user whose call it was (a hash). */
export function recordCall(state: BreakerState, verdict: Verdict, failureKind: string | undefined, probe: boolean, nowMs: number, settings: BreakerSettings, who?: string): { state: BreakerState; transition?: Transition } {
  if (!settings.enabled) return { state };
  if (state.kind === "open") return { state }; // a call that started before the breaker opened
  if (state.kind === "half_open") {
    // Only the probe decides; stragglers from before the opening say nothing about now.
    if (!probe) return { state };
    if (verdict === "success") return { state: closedBreaker(nowMs), transition: { type: "closed", atMs: nowMs, source: "local" } };
    return openAt(nowMs, "probe_failed", `probe failed (${failureKind ?? "failure"})`, state.reopenCount + 1, settings);
  }
  const cap = settings.min_failing_users;
  const buckets = addToWindow(state.buckets, nowMs, verdict, settings.window_ms, who, cap);
  if (verdict === "success") return { state: { kind: "closed", sinceMs: state.sinceMs, consecutiveFailures: 0, buckets } };
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failingUsers = withUser(state.failingUsers ?? [], who, nowMs, cap);
  const kind = failureKind ?? "failure";
  if (consecutiveFailures >= settings.consecutive_failures && failingUsers.length >= cap) {
    return openAt(nowMs, "consecutive_failures", `${consecutiveFailures} ${consecutiveFailures === 1 ? "failure" : "failures"} in a row (last: ${kind})`, 0, settings);
  }
  const { calls, failures } = windowCounts(buckets, nowMs, settings.window_ms);
  const windowUsers = windowFailingUsers(buckets, nowMs, settings.window_ms, cap);
  if (calls >= settings.min_requests && failures / calls >= settings.failure_rate && windowUsers >= cap) {
    return openAt(nowMs, "failure_rate", `${failures} of ${calls} calls failed in ${Math.round(settings.window_ms / 1000)} s (last: ${kind})`, 0, settings);
  }
  return { state: { kind: "closed", sinceMs: state.sinceMs, consecutiveFailures, buckets, lastFailure: kind, failingUsers } };
}

/**
 * Opens the breaker until `untilMs` whatever its state, because the provider said so (its account
 * cannot pay; it asked us to wait): no failure count decides. Already open at least that long:
 * unchanged, no transition (so a held target logs its hold once).
 */
export function holdOpen(state: BreakerState, nowMs: number, untilMs: number, reason: HoldReason, detail: string): { state: BreakerState; transition?: Transition } {
  if (state.kind === "open" && state.untilMs >= untilMs) return { state };
  const reopenCount = state.kind === "closed" ? 0 : state.reopenCount;
  return {
    state: { kind: "open", openedAtMs: nowMs, untilMs, reason, detail, reopenCount },
    transition: { type: "opened", atMs: nowMs, untilMs, reason, detail, reopenCount, source: "local" },
  };
}

function openAt(nowMs: number, reason: OpenReason, detail: string, reopenCount: number, settings: BreakerSettings): { state: BreakerState; transition: Transition } {
  const untilMs = nowMs + cooldownFor(reopenCount, settings);
  return {
    state: { kind: "open", openedAtMs: nowMs, untilMs, reason, detail, reopenCount },
    transition: { type: "opened", atMs: nowMs, untilMs, reason, detail, reopenCount, source: "local" },
  };
}

function bucketWidth(windowMs: number): number {
  return Math.ceil(windowMs / WINDOW_BUCKETS);
}

/** Buckets still (partly) inside the window ending now; the oldest bucket counts whole. */
function liveBuckets(buckets: readonly WindowBucket[], nowMs: number, windowMs: number): WindowBucket[] {
  const width = bucketWidth(windowMs);
  return buckets.filter((b) => b.startMs + width > nowMs - windowMs);
}

function addToWindow(buckets: readonly WindowBucket[], nowMs: number, verdict: Verdict, windowMs: number, who: string | undefined, cap: number): WindowBucket[] {
  const width = bucketWidth(windowMs);
  const startMs = Math.floor(nowMs / width) * width;
  const live = liveBuckets(buckets, nowMs, windowMs);
  const last = live[live.length - 1];
  const ok = verdict === "success" ? 1 : 0;
  const current = last && last.startMs === startMs ? last : { startMs, successes: 0, failures: 0 };
  const failingUsers = ok ? (current.failingUsers ?? []) : withUser(current.failingUsers ?? [], who, nowMs, cap);
  const next: WindowBucket = { startMs, successes: current.successes + ok, failures: current.failures + 1 - ok, ...(failingUsers.length ? { failingUsers } : {}) };
  return current === last ? [...live.slice(0, -1), next] : [...live, next];
}

/** Distinct users who failed in the window ending at nowMs, counted up to `cap`. */
export function windowFailingUsers(buckets: readonly WindowBucket[], nowMs: number, windowMs: number, cap: number): number {
  const seen = new Set<string>();
  for (const b of liveBuckets(buckets, nowMs, windowMs)) for (const u of b.failingUsers ?? []) if (seen.size < cap) seen.add(u);
  return seen.size;
}

/** Calls and failures in the window ending at nowMs (granularity: a tenth of the window). */
export function windowCounts(buckets: readonly WindowBucket[], nowMs: number, windowMs: number): { calls: number; failures: number } {
  let calls = 0;
  let failures = 0;
  for (const b of liveBuckets(buckets, nowMs, windowMs)) {
    calls += b.successes + b.failures;
    failures += b.failures;
  }
  return { calls, failures };
}
