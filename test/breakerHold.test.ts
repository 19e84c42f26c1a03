// A provider that says so (out of money, Retry-After) holds its target open at once: the pure
// rule, the instance's hub (one error line for money, shared like any opening), and an
// operator's closed snapshot lifting the hold.
import { describe, expect, it } from "vitest";
import { createBreakerHub } from "../lib/breaker/breakerHub";
import { type BreakerSettings, defaultBreakerSettings } from "../lib/breaker/breakerSettings";
import { admitCall, closedBreaker, holdOpen, recordCall } from "../lib/breaker/circuitBreaker";
import { createLogger } from "../lib/observability/logger";

const s: BreakerSettings = { ...defaultBreakerSettings(), min_failing_users: 1, consecutive_failures: 2, cooldown_ms: 1000 };
const deepseek = { provider: "deepseek", model: "deepseek-chat" };

describe("holdOpen", () => {
  it("opens a closed breaker until the given time, whatever its counts, and lets the next call probe after", () => {
    const r = holdOpen(closedBreaker(), 1000, 5000, "retry_after", "Retry-After 4 s (rate_limited)");
    expect(r.state).toEqual({ kind: "open", openedAtMs: 1000, untilMs: 5000, reason: "retry_after", detail: "Retry-After 4 s (rate_limited)", reopenCount: 0 });
    expect(r.transition).toEqual({ type: "opened", atMs: 1000, untilMs: 5000, reason: "retry_after", detail: "Retry-After 4 s (rate_limited)", reopenCount: 0, source: "local" });
    expect(admitCall(r.state, 4999, s).admission).toMatchObject({ allowed: false, reason: "open", untilMs: 5000 });
    expect(admitCall(r.state, 5000, s).admission).toEqual({ allowed: true, probe: true });
  });

  it("already open at least that long: unchanged, no transition (one line per hold); open shorter: held longer", () => {
    const held = holdOpen(closedBreaker(), 1000, 9000, "out_of_funds", "payment_required").state;
    const again = holdOpen(held, 2000, 8000, "retry_after", "x");
    expect(again.state).toBe(held);
    expect(again.transition).toBeUndefined();
    const failing = recordCall(recordCall(closedBreaker(), "failure", "timeout", false, 100, s).state, "failure", "timeout", false, 100, s).state;
    expect(failing).toMatchObject({ kind: "open", untilMs: 1100 });
    const longer = holdOpen(failing, 200, 60_000, "out_of_funds", "Arrearage");
    expect(longer.state).toMatchObject({ kind: "open", openedAtMs: 200, untilMs: 60_000, reason: "out_of_funds" });
    expect(longer.transition).toMatchObject({ type: "opened", reason: "out_of_funds" });
  });

  it("a half-open probe that is told to wait is held, keeping its reopen count", () => {
    const open = holdOpen(closedBreaker(), 0, 1000, "retry_after", "a").state;
    const half = admitCall(open, 1000, s).state;
    expect(half.kind).toBe("half_open");
    expect(holdOpen(half, 1100, 3000, "retry_after", "b").state).toMatchObject({ kind: "open", untilMs: 3000, reopenCount: 0 });
  });
});

describe("BreakerHub.hold", () => {
  function hub(settings = s, at = { now: 1000 }) {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger("debug", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    return { at, lines, hub: createBreakerHub({ settings, logger, prefix: "test:hold:", now: () => at.now }) };
  }

  it("out of money: one error line naming the provider, however often it is said; shared with the other instances, who say it at warn", () => {
    const a = hub();
    a.hub.hold(deepseek, "out_of_funds", 1000 + 86_400_000, "payment_required");
    a.hub.hold(deepseek, "out_of_funds", 1000 + 86_400_000, "payment_required");
    expect(a.lines).toEqual([expect.objectContaining({ level: "error", msg: "breaker opened", provider: "deepseek", model: "deepseek-chat", reason: "out_of_funds", detail: "payment_required", source: "local" })]);
    expect(a.hub.admit(deepseek).admission).toMatchObject({ allowed: false, reason: "open" });
    const writes = a.hub.drainWrites();
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]!.value)).toMatchObject({ s: "open", r: "out_of_funds", until: 1000 + 86_400_000, d: "payment_required" });
    const b = hub(s, a.at);
    b.hub.mergeShared({ [writes[0]!.field]: writes[0]!.value });
    expect(b.hub.admit(deepseek).admission).toMatchObject({ allowed: false, reason: "open" });
    expect(b.lines).toEqual([expect.objectContaining({ level: "warn", msg: "breaker opened", provider: "deepseek", source: "shared" })]);
  });

  it("an operator's closed snapshot, newer than the hold, closes it on every instance", () => {
    const a = hub();
    a.hub.hold(deepseek, "out_of_funds", 1000 + 86_400_000, "Arrearage");
    a.at.now = 5000;
    a.hub.mergeShared({ "deepseek/deepseek-chat": JSON.stringify({ s: "closed", at: 4000 }) });
    expect(a.hub.admit(deepseek).admission).toEqual({ allowed: true, probe: false });
    expect(a.lines.at(-1)).toMatchObject({ level: "info", msg: "breaker closed", source: "shared" });
  });

  it("Retry-After: warn, not error", () => {
    const a = hub();
    a.hub.hold(deepseek, "retry_after", 3000, "Retry-After 2 s (rate_limited)");
    expect(a.lines).toEqual([expect.objectContaining({ level: "warn", reason: "retry_after" })]);
  });

  it("with breakers off nothing is held or said", () => {
    const a = hub({ ...s, enabled: false });
    a.hub.hold(deepseek, "out_of_funds", 1000 + 86_400_000, "payment_required");
    expect(a.lines).toEqual([]);
    expect(a.hub.admit(deepseek).admission).toEqual({ allowed: true, probe: false });
  });
});
