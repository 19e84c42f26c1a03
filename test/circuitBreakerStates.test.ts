// The breaker's states built inside each test (a state built at collection time would make a
// broken state machine a file that does not load, which a mutation run cannot tell apart from a
// pass): the fresh state, the rate threshold at equality, the buckets of the window, and the
// wording of a failure without a kind.
import { describe, expect, it } from "vitest";
import { type BreakerSettings, defaultBreakerSettings } from "../lib/breaker/breakerSettings";
import { type BreakerState, admitCall, closedBreaker, recordCall, windowCounts } from "../lib/breaker/circuitBreaker";

// One failing user suffices here: these tests pin the machine's other rules; the distinct-user rule has its own.
const settings = (over: Partial<BreakerSettings> = {}): BreakerSettings => ({ ...defaultBreakerSettings(), min_failing_users: 1, ...over });

describe("a fresh breaker", () => {
  it("is closed since 0 (or since the given time), with no failures and no buckets", () => {
    expect(closedBreaker()).toEqual({ kind: "closed", sinceMs: 0, consecutiveFailures: 0, buckets: [] });
    expect(closedBreaker(1234)).toEqual({ kind: "closed", sinceMs: 1234, consecutiveFailures: 0, buckets: [] });
  });

  it("lets a call through, not as a probe", () => {
    expect(admitCall(closedBreaker(), 0, settings())).toEqual({ state: closedBreaker(), admission: { allowed: true, probe: false } });
  });
});

describe("recording on a closed breaker", () => {
  it("a success keeps it closed since when it was, with the run of failures reset", () => {
    const s = settings();
    const failed = recordCall(closedBreaker(500), "failure", "timeout", false, 1000, s, "u1").state;
    expect(failed).toMatchObject({ kind: "closed", sinceMs: 500, consecutiveFailures: 1, lastFailure: "timeout", failingUsers: ["u1"] });
    const ok = recordCall(failed, "success", undefined, false, 1100, s, "u2");
    expect(ok.transition).toBeUndefined();
    // The run's users go with the run; the window keeps who failed in it.
    expect(ok.state).toEqual({ kind: "closed", sinceMs: 500, consecutiveFailures: 0, buckets: [{ startMs: 0, successes: 1, failures: 1, failingUsers: ["u1"] }] });
  });

  it("a failure without a kind is recorded as 'failure'", () => {
    const s = settings({ consecutive_failures: 2 });
    const one = recordCall(closedBreaker(), "failure", undefined, false, 0, s);
    expect(one.state).toMatchObject({ lastFailure: "failure", consecutiveFailures: 1 });
    const two = recordCall(one.state, "failure", undefined, false, 10, s);
    expect(two.transition).toMatchObject({ type: "opened", reason: "consecutive_failures", detail: "2 failures in a row (last: failure)" });
  });

  it("calls in one tenth of the window share a bucket; the next tenth starts another", () => {
    const s = settings({ window_ms: 10_000 });
    let state: BreakerState = closedBreaker();
    for (const [verdict, t] of [["success", 1000], ["failure", 1500], ["success", 1999], ["failure", 2000]] as const) {
      state = recordCall(state, verdict, "timeout", false, t, s).state;
    }
    expect(state).toMatchObject({
      buckets: [
        { startMs: 1000, successes: 2, failures: 1 },
        { startMs: 2000, successes: 0, failures: 1 },
      ],
    });
    expect(windowCounts((state as Extract<BreakerState, { kind: "closed" }>).buckets, 2000, s.window_ms)).toEqual({ calls: 4, failures: 2 });
  });

  it("only the last live bucket is added to; older ones keep their counts", () => {
    const s = settings({ window_ms: 10_000 });
    let state: BreakerState = closedBreaker();
    for (const t of [0, 1000, 1001, 2000]) state = recordCall(state, "success", undefined, false, t, s).state;
    expect(state).toMatchObject({
      buckets: [
        { startMs: 0, successes: 1, failures: 0 },
        { startMs: 1000, successes: 2, failures: 0 },
        { startMs: 2000, successes: 1, failures: 0 },
      ],
    });
  });

  it("opens when the failure rate reaches the threshold exactly", () => {
    const s = settings({ consecutive_failures: 100, min_requests: 4, failure_rate: 0.5, window_ms: 10_000 });
    let state: BreakerState = closedBreaker();
    let last;
    for (const [i, verdict] of (["success", "failure", "success", "failure"] as const).entries()) {
      last = recordCall(state, verdict, "server_error", false, i * 10, s);
      state = last.state;
    }
    expect(last?.transition).toEqual({ type: "opened", atMs: 30, untilMs: 30 + s.cooldown_ms, reason: "failure_rate", detail: "2 of 4 calls failed in 10 s (last: server_error)", reopenCount: 0, source: "local" });
  });
});

describe("probe results", () => {
  it("a failed probe without a kind says 'failure'", () => {
    const s = settings({ consecutive_failures: 1, cooldown_ms: 1000 });
    const opened = recordCall(closedBreaker(), "failure", "timeout", false, 0, s).state;
    const half = admitCall(opened, 1000, s).state;
    expect(recordCall(half, "failure", undefined, true, 1100, s).transition).toMatchObject({ reason: "probe_failed", detail: "probe failed (failure)" });
  });
});
