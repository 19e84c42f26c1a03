// The breaker state machine on a fake clock: every transition, the rate window, the single probe.
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { attemptVerdict } from "../lib/breaker/attemptVerdict";
import { type BreakerSettings, breakerSettingsSchema, defaultBreakerSettings, DEFAULT_BREAKER_SETTINGS } from "../lib/breaker/breakerSettings";
import { type BreakerState, admitCall, closedBreaker, cooldownFor, recordCall, windowCounts, windowFailingUsers, withUser } from "../lib/breaker/circuitBreaker";

// One failing user suffices here: these tests pin the machine's other rules; the distinct-user rule has its own.
const settings = (over: Partial<BreakerSettings> = {}): BreakerSettings => ({ ...defaultBreakerSettings(), min_failing_users: 1, ...over });

/** Feeds verdicts one per `stepMs` starting at `t0`; returns the final state and every transition. */
function feed(state: BreakerState, verdicts: ("success" | "failure")[], t0: number, stepMs: number, s: BreakerSettings) {
  const transitions = [];
  let t = t0;
  for (const v of verdicts) {
    const r = recordCall(state, v, v === "failure" ? "timeout" : undefined, false, t, s);
    state = r.state;
    if (r.transition) transitions.push(r.transition);
    t += stepMs;
  }
  return { state, transitions, t };
}

describe("settings", () => {
  it("fills every default from an empty block", () => {
    expect(z.parse(breakerSettingsSchema, {})).toEqual(DEFAULT_BREAKER_SETTINGS);
    expect(DEFAULT_BREAKER_SETTINGS).toMatchObject({ consecutive_failures: 5, failure_rate: 0.5, min_requests: 20, window_ms: 30_000, cooldown_ms: 15_000 });
  });

  it("refuses nonsense with the key path", () => {
    const r = z.safeParse(breakerSettingsSchema, { failure_rate: 1.5, consecutive_failures: 0, bogus: 1 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["failure_rate", "consecutive_failures"]));
    const ceiling = z.safeParse(breakerSettingsSchema, { cooldown_ms: 60_000, max_cooldown_ms: 30_000 });
    expect(ceiling.error?.issues[0]?.path).toEqual(["max_cooldown_ms"]);
  });
});

describe("closed -> open on consecutive failures", () => {
  it("opens on the Nth failure in a row, not before, and says why", () => {
    const s = settings({ consecutive_failures: 3, min_requests: 1000 });
    const four = feed(closedBreaker(), ["failure", "failure"], 1000, 10, s);
    expect(four.state.kind).toBe("closed");
    expect(four.transitions).toEqual([]);
    const r = recordCall(four.state, "failure", "connection", false, 2000, s);
    expect(r.state).toMatchObject({ kind: "open", openedAtMs: 2000, untilMs: 2000 + 15_000, reason: "consecutive_failures" });
    expect(r.transition).toEqual({ type: "opened", atMs: 2000, untilMs: 17_000, reason: "consecutive_failures", detail: "3 failures in a row (last: connection)", reopenCount: 0, source: "local" });
  });

  it("a success in between resets the run", () => {
    const s = settings({ consecutive_failures: 3, min_requests: 1000 });
    const r = feed(closedBreaker(), ["failure", "failure", "success", "failure", "failure"], 0, 10, s);
    expect(r.state).toMatchObject({ kind: "closed", consecutiveFailures: 2 });
  });
});

describe("closed -> open on the failure rate", () => {
  const s = settings({ consecutive_failures: 100, failure_rate: 0.5, min_requests: 10, window_ms: 10_000 });

  it("needs the minimum number of calls before the rate counts", () => {
    // 9 calls, 5 failing (56%): under min_requests.
    const r = feed(closedBreaker(), ["failure", "success", "failure", "success", "failure", "success", "failure", "success", "failure"], 0, 100, s);
    expect(r.state.kind).toBe("closed");
    // A 10th call that succeeds makes 5 of 10 = 50%, but only a failure opens a breaker.
    const next = recordCall(r.state, "success", undefined, false, r.t, s);
    expect(next.state.kind).toBe("closed");
    // A 10th that fails makes 6 of 10: over the rate, with the minimum reached.
    const tenth = recordCall(r.state, "failure", "server_error", false, r.t, s);
    expect(tenth.transition).toMatchObject({ type: "opened", reason: "failure_rate", detail: "6 of 10 calls failed in 10 s (last: server_error)" });
  });

  it("stays closed under the rate", () => {
    const pattern = Array.from({ length: 40 }, (_, i): "failure" | "success" => (i % 3 === 0 ? "failure" : "success"));
    const r = feed(closedBreaker(), pattern, 0, 100, s);
    expect(r.state.kind).toBe("closed");
    expect(r.transitions).toEqual([]);
  });

  it("forgets calls older than the window (granularity: a tenth of it)", () => {
    // 9 failures early on, then a quiet 11 s, then 1 failure + 9 successes: the old ones are gone.
    const early = feed(closedBreaker(), Array(9).fill("failure"), 0, 10, s);
    expect(windowCounts((early.state as Extract<BreakerState, { kind: "closed" }>).buckets, 100, 10_000)).toEqual({ calls: 9, failures: 9 });
    const later = feed(early.state, ["success", ...Array(9).fill("success")], 11_100, 10, s);
    const buckets = (later.state as Extract<BreakerState, { kind: "closed" }>).buckets;
    expect(windowCounts(buckets, later.t, 10_000)).toEqual({ calls: 10, failures: 0 });
    // The bucket list stays short: at most the window's tenths plus the current one.
    expect(buckets.length).toBeLessThanOrEqual(11);
  });

  it("a bucket counts while any part of it is inside the window", () => {
    const one = recordCall(closedBreaker(), "failure", "timeout", false, 1_500, s).state as Extract<BreakerState, { kind: "closed" }>;
    // Bucket [1000, 2000); window 10 s.
    expect(windowCounts(one.buckets, 11_999, 10_000).calls).toBe(1);
    expect(windowCounts(one.buckets, 12_000, 10_000).calls).toBe(0);
  });
});

describe("open", () => {
  const s = settings({ consecutive_failures: 1, cooldown_ms: 1000, cooldown_multiplier: 2, max_cooldown_ms: 3000 });
  const opened = recordCall(closedBreaker(), "failure", "timeout", false, 10_000, s).state;

  it("skips every caller at once until the cool-down ends, with the reason", () => {
    for (const t of [10_000, 10_500, 10_999]) {
      const r = admitCall(opened, t, s);
      expect(r.admission).toEqual({ allowed: false, reason: "open", untilMs: 11_000, detail: "1 failure in a row (last: timeout)" });
      expect(r.state).toBe(opened);
      expect(r.transition).toBeUndefined();
    }
  });

  it("ignores results of calls that started before it opened", () => {
    expect(recordCall(opened, "success", undefined, false, 10_100, s).state).toBe(opened);
    expect(recordCall(opened, "failure", "timeout", false, 10_100, s).state).toBe(opened);
  });

  it("cool-down grows with each failed probe, up to the ceiling", () => {
    expect([0, 1, 2, 3].map((n) => cooldownFor(n, s))).toEqual([1000, 2000, 3000, 3000]);
  });
});

describe("half-open: exactly one probe", () => {
  const s = settings({ consecutive_failures: 1, cooldown_ms: 1000, probe_lease_ms: 5000 });
  const opened = recordCall(closedBreaker(), "failure", "connection", false, 0, s).state;

  it("lets the first caller after the cool-down through as the probe, and skips the others meanwhile", () => {
    const first = admitCall(opened, 1000, s);
    expect(first.admission).toEqual({ allowed: true, probe: true });
    expect(first.transition).toEqual({ type: "half_open", atMs: 1000 });
    expect(first.state.kind).toBe("half_open");
    const second = admitCall(first.state, 1001, s);
    expect(second.admission).toMatchObject({ allowed: false, reason: "probe_in_flight", untilMs: 6000 });
    const third = admitCall(second.state, 5999, s);
    expect(third.admission.allowed).toBe(false);
  });

  it("probe success closes it, and the window starts afresh", () => {
    const half = admitCall(opened, 1000, s).state;
    const r = recordCall(half, "success", undefined, true, 1200, s);
    expect(r.transition).toEqual({ type: "closed", atMs: 1200, source: "local" });
    expect(r.state).toEqual({ kind: "closed", sinceMs: 1200, consecutiveFailures: 0, buckets: [] });
    expect(admitCall(r.state, 1201, s).admission).toEqual({ allowed: true, probe: false });
  });

  it("probe failure reopens it with a longer cool-down", () => {
    const half = admitCall(opened, 1000, s).state;
    const r = recordCall(half, "failure", "timeout", true, 1300, s);
    expect(r.transition).toEqual({ type: "opened", atMs: 1300, untilMs: 1300 + 2000, reason: "probe_failed", detail: "probe failed (timeout)", reopenCount: 1, source: "local" });
    // The next probe fails too: the cool-down doubles again.
    const again = recordCall(admitCall(r.state, 3300, s).state, "failure", "timeout", true, 3400, s);
    expect(again.transition).toMatchObject({ untilMs: 3400 + 4000, reopenCount: 2 });
    // And a success after that resets the growth.
    const closed = recordCall(admitCall(again.state, 7400, s).state, "success", undefined, true, 7500, s).state;
    const reopened = recordCall(closed, "failure", "timeout", false, 8000, s);
    expect(reopened.transition).toMatchObject({ untilMs: 9000, reopenCount: 0 });
  });

  it("non-probe results while half-open change nothing", () => {
    const half = admitCall(opened, 1000, s).state;
    expect(recordCall(half, "success", undefined, false, 1100, s).state).toBe(half);
    expect(recordCall(half, "failure", "timeout", false, 1100, s).state).toBe(half);
  });

  it("a probe that never reports frees the slot after its lease", () => {
    const half = admitCall(opened, 1000, s).state;
    const late = admitCall(half, 6000, s);
    expect(late.admission).toEqual({ allowed: true, probe: true });
    expect(late.transition).toBeUndefined();
    expect(admitCall(late.state, 6001, s).admission.allowed).toBe(false);
  });
});

describe("disabled", () => {
  it("never opens and never skips", () => {
    const s = settings({ enabled: false, consecutive_failures: 1 });
    const r = feed(closedBreaker(), Array(50).fill("failure"), 0, 1, s);
    expect(r.state.kind).toBe("closed");
    expect(admitCall(r.state, 100, s).admission).toEqual({ allowed: true, probe: false });
  });
});

describe("attemptVerdict", () => {
  it("maps the chain's attempt outcomes", () => {
    expect(["ok", "rejected"].map(attemptVerdict)).toEqual(["success", "success"]);
    expect(["timeout", "connection", "server_error", "rate_limited", "bad_response"].map(attemptVerdict)).toEqual(Array(5).fill("failure"));
    expect(["retry_after_exceeds_budget", "skipped", "breaker_open", "something_new"].map(attemptVerdict)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("failures from enough distinct users (min_failing_users)", () => {
  /** Failures one per 10 ms from the given users, in order. */
  const failures = (state: BreakerState, users: (string | undefined)[], t0: number, s: BreakerSettings) => {
    const transitions = [];
    let t = t0;
    for (const who of users) {
      const r = recordCall(state, "failure", "timeout", false, t, s, who);
      state = r.state;
      if (r.transition) transitions.push(r.transition);
      t += 10;
    }
    return { state, transitions };
  };

  it("defaults to 5, within 1..1000", () => {
    expect(DEFAULT_BREAKER_SETTINGS.min_failing_users).toBe(5);
    expect(z.parse(breakerSettingsSchema, {}).min_failing_users).toBe(5);
    expect(z.parse(breakerSettingsSchema, { min_failing_users: 1 }).min_failing_users).toBe(1);
    expect(z.parse(breakerSettingsSchema, { min_failing_users: 1000 }).min_failing_users).toBe(1000);
    for (const bad of [0, 1001, 2.5]) expect(z.safeParse(breakerSettingsSchema, { min_failing_users: bad }).error?.issues[0]?.path).toEqual(["min_failing_users"]);
  });

  it("three users failing in a row, however often, never open it; a fifth distinct user does", () => {
    const s = settings({ consecutive_failures: 5, min_failing_users: 5, min_requests: 1000 });
    const three = failures(closedBreaker(), ["a", "b", "c", "a", "b", "c", "a", "b", "c", "a"], 0, s);
    expect(three.transitions).toEqual([]);
    expect(three.state).toMatchObject({ kind: "closed", consecutiveFailures: 10, failingUsers: ["a", "b", "c"] });
    const four = failures(three.state, ["d"], 1000, s);
    expect(four.state.kind).toBe("closed");
    const five = failures(four.state, ["e"], 2000, s);
    expect(five.transitions).toEqual([expect.objectContaining({ type: "opened", reason: "consecutive_failures", detail: "12 failures in a row (last: timeout)" })]);
  });

  it("needs the run's count too: five users with four failures in a row do not open it", () => {
    const s = settings({ consecutive_failures: 6, min_failing_users: 5, min_requests: 1000 });
    expect(failures(closedBreaker(), ["a", "b", "c", "d", "e"], 0, s).transitions).toEqual([]);
    expect(failures(closedBreaker(), ["a", "b", "c", "d", "e", "a"], 0, s).transitions).toHaveLength(1);
  });

  it("a success starts the run's users afresh", () => {
    const s = settings({ consecutive_failures: 3, min_failing_users: 3, min_requests: 1000 });
    const before = failures(closedBreaker(), ["a", "b"], 0, s);
    const ok = recordCall(before.state, "success", undefined, false, 100, s, "z");
    expect(ok.state).not.toHaveProperty("failingUsers");
    expect(failures(ok.state, ["c", "c", "c"], 200, s).transitions).toEqual([]);
    expect(failures(ok.state, ["c", "a", "b"], 200, s).transitions).toHaveLength(1);
  });

  it("the rate rule counts distinct users in the window as well", () => {
    const s = settings({ consecutive_failures: 1000, failure_rate: 0.5, min_requests: 10, window_ms: 10_000, min_failing_users: 3 });
    // Ten calls, all failed, from two users: the rate is there, the users are not.
    const two = failures(closedBreaker(), ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"], 0, s);
    expect(two.transitions).toEqual([]);
    const third = failures(two.state, ["c"], 200, s);
    expect(third.transitions).toEqual([expect.objectContaining({ reason: "failure_rate", detail: "11 of 11 calls failed in 10 s (last: timeout)" })]);
  });

  it("users who failed before the window do not count", () => {
    const s = settings({ consecutive_failures: 1000, failure_rate: 0.5, min_requests: 4, window_ms: 10_000, min_failing_users: 3 });
    const old = failures(closedBreaker(), ["a", "b"], 0, s);
    const later = failures(old.state, ["c", "c", "c", "c"], 20_000, s);
    expect(later.transitions).toEqual([]);
    expect(windowFailingUsers(later.state.kind === "closed" ? later.state.buckets : [], 20_040, 10_000, 3)).toBe(1);
  });

  it("a call with no user to blame (an operator's script) counts as a user of its own", () => {
    const s = settings({ consecutive_failures: 3, min_failing_users: 3, min_requests: 1000 });
    expect(failures(closedBreaker(), [undefined, undefined, undefined], 0, s).transitions).toHaveLength(1);
  });

  it("withUser adds a user once, and stops at the cap", () => {
    expect(withUser([], "a", 0, 3)).toEqual(["a"]);
    expect(withUser(["a"], "a", 0, 3)).toEqual(["a"]);
    expect(withUser(["a", "b"], "c", 0, 3)).toEqual(["a", "b", "c"]);
    expect(withUser(["a", "b", "c"], "d", 0, 3)).toEqual(["a", "b", "c"]);
    const anon = withUser(withUser([], undefined, 7, 3), undefined, 7, 3);
    expect(anon).toHaveLength(2);
    expect(new Set(anon).size).toBe(2);
    for (const name of anon) expect(name.startsWith("?")).toBe(true);
  });

  it("windowFailingUsers unites the live buckets' users, up to the cap", () => {
    const buckets = [
      { startMs: 0, successes: 0, failures: 2, failingUsers: ["a", "b"] },
      { startMs: 1000, successes: 1, failures: 0 },
      { startMs: 2000, successes: 0, failures: 3, failingUsers: ["b", "c", "d"] },
    ];
    expect(windowFailingUsers(buckets, 2500, 10_000, 10)).toBe(4);
    expect(windowFailingUsers(buckets, 2500, 10_000, 3)).toBe(3);
    // The first bucket has left a window that ends at 11_500.
    expect(windowFailingUsers(buckets, 11_500, 10_000, 10)).toBe(3);
    expect(windowFailingUsers([], 0, 10_000, 10)).toBe(0);
  });
});
