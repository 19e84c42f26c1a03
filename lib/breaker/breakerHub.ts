// One instance's breakers, wired for the request path: transitions become log lines as they
// happen, this instance's own ones wait to be shared (written in the next record step's MULTI,
// newer wins), and the shared hash read at admission is merged in. No round trip of its own.
import type { Logger } from "../observability/logger";
import type { BreakerSettings } from "./breakerSettings";
import { BREAKER_HASH_TTL_MS, breakerHashKey } from "./breakerStorePlan";
import { type BreakerEvent, type BreakerTarget, type ProviderBreakers, createProviderBreakers } from "./providerBreakers";

export interface BreakerHub {
  readonly enabled: boolean;
  /** The hash the admission trip reads along. */
  readonly hashKey: string;
  admit: ProviderBreakers["admit"];
  record(target: BreakerTarget, outcome: string, probe: boolean): void;
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
  const report = (events: readonly BreakerEvent[], share: boolean) => {
    for (const e of events) {
      const at = e.type === "opened" ? "warn" : "info";
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
    record(target, outcome, probe) {
      report(breakers.record(target, outcome, probe), true);
    },
    mergeShared(fields) {
      report(breakers.mergeShared(fields), false);
    },
    drainWrites() {
      const writes = breakers.sharedWrites(pending);
      pending = [];
      return Object.entries(writes).map(([field, value]) => ({ key: hashKey, field, value, atMs: (JSON.parse(value) as { at: number }).at, ttlMs: BREAKER_HASH_TTL_MS }));
    },
    view: () => breakers.view(),
  };
}
