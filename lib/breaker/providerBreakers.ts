// The breakers of one instance, one per provider target (provider + model), created once per
// process outside the handler. A thin holder over the pure machine: it keeps the states, reads
// the clock it was given, and returns transitions as events for the caller to log and share.
import { attemptVerdict } from "./attemptVerdict";
import type { BreakerSettings } from "./breakerSettings";
import { type Admission, type BreakerState, type HoldReason, admitCall, closedBreaker, holdOpen, recordCall, type Transition, windowCounts } from "./circuitBreaker";
import { mergeShared, parseSnapshot, type SharedSnapshot, snapshotOfTransition } from "./sharedBreakerState";

export interface BreakerTarget {
  provider: string;
  model: string;
}

/** A transition with its target: one log line each ("breaker opened", provider, model, reason). */
export type BreakerEvent = Transition & BreakerTarget;

/** One row of the debug view (healthz in dev/staging). */
export interface BreakerView extends BreakerTarget {
  state: BreakerState["kind"];
  untilMs?: number;
  reason?: string;
  detail?: string;
  callsInWindow: number;
  failuresInWindow: number;
  consecutiveFailures: number;
}

/** Hash field of a target: provider names are identifiers ([a-z0-9_]), so the first "/" splits. */
export function targetField(target: BreakerTarget): string {
  return `${target.provider}/${target.model}`;
}

export function targetOfField(field: string): BreakerTarget | undefined {
  const cut = field.indexOf("/");
  if (cut <= 0 || cut === field.length - 1) return undefined;
  return { provider: field.slice(0, cut), model: field.slice(cut + 1) };
}

export interface ProviderBreakers {
  /** Before calling a target: go ahead (maybe as the probe), or skip it now with a reason. */
  admit(target: BreakerTarget): { admission: Admission; events: BreakerEvent[] };
  /** After a call admit() let through: its attempt outcome ("ok", "timeout", "server_error", ...), and whose call it was. */
  record(target: BreakerTarget, outcome: string, probe: boolean, who?: string): BreakerEvent[];
  /** Opens a target until `untilMs` because its provider said so (out of money, Retry-After). */
  hold(target: BreakerTarget, reason: HoldReason, untilMs: number, detail: string): BreakerEvent[];
  /** The breaker hash as read in the admission round trip (field -> JSON); unknown fields are skipped. */
  mergeShared(fields: Readonly<Record<string, string>>): BreakerEvent[];
  /** Hash fields to write in the record step for these events (only this instance's own transitions). */
  sharedWrites(events: readonly BreakerEvent[]): Record<string, string>;
  view(): BreakerView[];
}

export function createProviderBreakers(settings: BreakerSettings, now: () => number = Date.now): ProviderBreakers {
  const states = new Map<string, BreakerState>();
  const stateOf = (field: string) => states.get(field) ?? closedBreaker();
  const event = (target: BreakerTarget, transition: Transition | undefined): BreakerEvent[] =>
    transition ? [{ ...transition, provider: target.provider, model: target.model }] : [];

  return {
    admit(target) {
      const field = targetField(target);
      const result = admitCall(stateOf(field), now(), settings);
      states.set(field, result.state);
      return { admission: result.admission, events: event(target, result.transition) };
    },
    record(target, outcome, probe, who) {
      const verdict = attemptVerdict(outcome);
      const field = targetField(target);
      const state = stateOf(field);
      if (verdict === undefined) {
        // A probe that made no call frees its slot for the next caller.
        if (probe && state.kind === "half_open") {
          states.set(field, { kind: "open", openedAtMs: state.openedAtMs, untilMs: now(), reason: state.reason, detail: state.detail, reopenCount: state.reopenCount });
        }
        return [];
      }
      const result = recordCall(state, verdict, verdict === "failure" ? outcome : undefined, probe, now(), settings, who);
      states.set(field, result.state);
      return event(target, result.transition);
    },
    hold(target, reason, untilMs, detail) {
      const field = targetField(target);
      const result = holdOpen(stateOf(field), now(), untilMs, reason, detail);
      states.set(field, result.state);
      return event(target, result.transition);
    },
    mergeShared(fields) {
      const events: BreakerEvent[] = [];
      for (const [field, raw] of Object.entries(fields)) {
        const target = targetOfField(field);
        const snapshot = parseSnapshot(raw);
        if (!target || !snapshot) continue;
        const result = mergeShared(stateOf(field), snapshot, now(), settings);
        states.set(field, result.state);
        events.push(...event(target, result.transition));
      }
      return events;
    },
    sharedWrites(events) {
      const writes: Record<string, string> = {};
      for (const e of events) {
        const snapshot: SharedSnapshot | undefined = snapshotOfTransition(e);
        if (snapshot) writes[targetField(e)] = JSON.stringify(snapshot);
      }
      return writes;
    },
    view() {
      const nowMs = now();
      return [...states.entries()].flatMap(([field, state]) => {
        const target = targetOfField(field);
        if (!target) return [];
        const counts = state.kind === "closed" ? windowCounts(state.buckets, nowMs, settings.window_ms) : { calls: 0, failures: 0 };
        const row: BreakerView = { ...target, state: state.kind, callsInWindow: counts.calls, failuresInWindow: counts.failures, consecutiveFailures: state.kind === "closed" ? state.consecutiveFailures : 0 };
        if (state.kind === "open") Object.assign(row, { untilMs: state.untilMs, reason: state.reason, detail: state.detail });
        if (state.kind === "half_open") Object.assign(row, { reason: state.reason, detail: state.detail });
        return [row];
      });
    },
  };
}
