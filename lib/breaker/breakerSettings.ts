// Circuit-breaker settings, one block per environment in env-policy.yaml (`breaker:`). zod/mini:
// the schema ships inside the functions' config loader path (see platform-facts.md, cold start).
import * as z from "zod/mini";

export const DEFAULT_BREAKER_SETTINGS = {
  enabled: true,
  /** This many failures in a row open the breaker, whatever the window says. */
  consecutive_failures: 5,
  /** Or: at least `min_requests` calls in the last `window_ms`, and this share of them failed. */
  failure_rate: 0.5,
  min_requests: 20,
  /**
   * Either rule opens only on failures from at least this many distinct users (in the run of
   * failures, or in the window). A user can make a provider time out on purpose (a prompt asking
   * for the longest answer), and a breaker opens for everyone: three accounts once put every user
   * on 503 (issue #25). Five accounts that each passed a WeChat login are a real cost to an
   * attacker, and an outage that few users see costs only those users their own timeouts.
   */
  min_failing_users: 5,
  window_ms: 30_000,
  /** First cool-down; each failed probe multiplies it, up to the ceiling. */
  cooldown_ms: 15_000,
  cooldown_multiplier: 2,
  max_cooldown_ms: 120_000,
  /**
   * A probe that never reports back (its request was cut off, the instance froze) frees the
   * half-open slot after this long, so one lost probe cannot keep a target skipped forever.
   * Longer than any chain entry's timeout (models.yaml caps them at 8 s today).
   */
  probe_lease_ms: 10_000,
  /** A shared "open" whose cool-down ended longer ago than this is ignored (its writer is gone). */
  shared_stale_ms: 600_000,
} as const;

export const breakerSettingsSchema = z
  .strictObject({
    enabled: z._default(z.boolean(), DEFAULT_BREAKER_SETTINGS.enabled),
    consecutive_failures: z._default(z.int().check(z.gte(1), z.lte(1000)), DEFAULT_BREAKER_SETTINGS.consecutive_failures),
    failure_rate: z._default(z.number().check(z.gt(0), z.lte(1)), DEFAULT_BREAKER_SETTINGS.failure_rate),
    min_requests: z._default(z.int().check(z.gte(1), z.lte(100_000)), DEFAULT_BREAKER_SETTINGS.min_requests),
    min_failing_users: z._default(z.int().check(z.gte(1), z.lte(1000)), DEFAULT_BREAKER_SETTINGS.min_failing_users),
    window_ms: z._default(z.int().check(z.gte(1000), z.lte(3_600_000)), DEFAULT_BREAKER_SETTINGS.window_ms),
    cooldown_ms: z._default(z.int().check(z.gte(100), z.lte(3_600_000)), DEFAULT_BREAKER_SETTINGS.cooldown_ms),
    cooldown_multiplier: z._default(z.number().check(z.gte(1), z.lte(10)), DEFAULT_BREAKER_SETTINGS.cooldown_multiplier),
    max_cooldown_ms: z._default(z.int().check(z.gte(100), z.lte(86_400_000)), DEFAULT_BREAKER_SETTINGS.max_cooldown_ms),
    probe_lease_ms: z._default(z.int().check(z.gte(100), z.lte(600_000)), DEFAULT_BREAKER_SETTINGS.probe_lease_ms),
    shared_stale_ms: z._default(z.int().check(z.gte(1000), z.lte(86_400_000)), DEFAULT_BREAKER_SETTINGS.shared_stale_ms),
  })
  .check(
    z.refine((s) => s.max_cooldown_ms >= s.cooldown_ms, { message: "max_cooldown_ms must be at least cooldown_ms", path: ["max_cooldown_ms"] }),
  );

export type BreakerSettings = z.infer<typeof breakerSettingsSchema>;

/** The defaults as a parsed value (what an environment without a `breaker:` block gets). */
export function defaultBreakerSettings(): BreakerSettings {
  return { ...DEFAULT_BREAKER_SETTINGS };
}
