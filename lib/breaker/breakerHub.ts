// One instance's breakers, wired for the request path: transitions become log lines as they
// happen, this instance's own ones wait to be shared (written in the next record step's MULTI,
// newer wins), and the shared hash read at admission is merged in. No round trip of its own.
import type { Logger } from "../log/logger";
import type { BreakerSettings } from "./breakerSettings";
import { breakerFieldWrites, breakerHashKey } from "./breakerStorePlan";
import { attemptVerdict } from "./attemptVerdict";
import type { HoldReason } from "./circuitBreaker";
import { type BreakerEvent, type BreakerTarget, type ProviderBreakers, createProviderBreakers, targetField } from "./providerBreakers";

/** How many failures of one target one user's calls may add to its breaker per window. */
export const MAX_FAILURES_PER_USER = 2;

export interface BreakerHub {
  readonly enabled: boolean;
  /** The hash the admission trip reads along. */
  readonly hashKey: string;
  admit: ProviderBreakers["admit"];
  /** `who`: a stable hash of the user whose call it was; one user's failures count only so far. */
  record(target: BreakerTarget, outcome: string, probe: boolean, who?: string): void;
  /** Opens a target until `untilMs` because its provider said so; shared like any opening. */
  hold(target: BreakerTarget, reason: HoldReason, untilMs: number, detail: string): void;
  /** Merges what the admission trip read of the shared hash. */
  mergeShared(fields: Readonly<Record<string, string>>): void;
  /** This instance's transitions not yet shared, for the record step (and forgotten here). */
  drainWrites(): { key: string; field: string; value: string; atMs: number; ttlMs: number }[];
  view: ProviderBreakers["view"];
}

export function createBreakerHub(deps: { settings: BreakerSettings; logger: Logger; prefix: string; now?: () => number }): BreakerHub {
  const breakers = createProviderBreakers(deps.settings, deps.now);
  const hashKey = breakerHashKey(deps.prefix);
  let pending: BreakerEvent[] = [];
  const now = deps.now ?? Date.now;
  const failuresByUser = new Map<string, { count: number; since: number }>();
  const countsFrom = (field: string, who: string): boolean => {
    const key = `${field}\u0000${who}`;
    const t = now();
    const seen = failuresByUser.get(key);
    const current = seen && t - seen.since < deps.settings.window_ms ? seen : { count: 0, since: t };
    current.count++;
    if (failuresByUser.size >= 10_000 && !failuresByUser.has(key)) failuresByUser.delete(failuresByUser.keys().next().value as string);
    failuresByUser.set(key, current);
    return current.count <= MAX_FAILURES_PER_USER;
  };
  const report = (events: readonly BreakerEvent[], share: boolean) => {
    for (const e of events) {
      // An account out of money needs an operator: its one line is an error (this instance's
      // own hold only; others adopting it from the store say so at warn).
      const at = e.type !== "opened" ? "info" : e.reason === "out_of_funds" && e.source === "local" ? "error" : "warn";
      deps.logger[at](`breaker ${e.type === "half_open" ? "half-open" : e.type}`, {
        provider: e.provider,
        model: e.model,
        ...(e.type === "opened" ? { reason: e.reason, detail: e.detail, untilMs: e.untilMs, source: e.source } : {}),
        ...(e.type === "closed" ? { source: e.source } : {}),
      });
    }
    if (share) pending.push(...events);
  };
  return {
    enabled: deps.settings.enabled,
    hashKey,
    admit(target) {
      const result = breakers.admit(target);
      report(result.events, true);
      return result;
    },
    record(target, outcome, probe, who) {
      // One user can make a provider time out on purpose (a prompt asking for the longest
      // answer): their failures count at most MAX_FAILURES_PER_USER times a window (so no one
      // user fills the rate rule's window), and either rule opens only once failures came from
      // min_failing_users distinct users (circuitBreaker.ts).
      if (who !== undefined && attemptVerdict(outcome) === "failure" && !countsFrom(targetField(target), who)) {
        if (probe) report(breakers.record(target, "not_counted", probe), true);
        return;
      }
      report(breakers.record(target, outcome, probe, who), true);
    },
    hold(target, reason, untilMs, detail) {
      if (deps.settings.enabled) report(breakers.hold(target, reason, untilMs, detail), true);
    },
    mergeShared(fields) {
      report(breakers.mergeShared(fields), false);
    },
    drainWrites() {
      const writes = breakers.sharedWrites(pending);
      pending = [];
      return breakerFieldWrites(deps.prefix, writes);
    },
    view: () => breakers.view(),
  };
}
