// The stream gate's check, made of WeChat's check and the environment's policy: a span is let
// through when decide() allows it; otherwise the reason carries what the error event needs.
import type { ContentChecker, Scene } from "./msgSecCheck";
import { type ContentSecurityPolicy, type Decision, decide } from "./policy";
import type { GateCheckResult } from "./streamGate";
import type { CheckOutcome } from "./verdict";

export interface GateBlock {
  decision: Exclude<Decision, "allow">;
  outcome: CheckOutcome;
}

export function contentGateCheck(options: {
  checker: ContentChecker;
  policy: Pick<ContentSecurityPolicy, "on_unavailable" | "on_review" | "timeout_ms">;
  openid: string;
  scene: Scene;
  /** The request's own deadline (epoch ms); each check also stops at policy.timeout_ms. */
  deadlineMs: number;
  now?: () => number;
  /** Every outcome, for the log line's timings. */
  onOutcome?: (outcome: CheckOutcome) => void;
}): (text: string) => Promise<GateCheckResult<GateBlock>> {
  const now = options.now ?? Date.now;
  return async (text) => {
    const deadline = Math.min(options.deadlineMs, now() + options.policy.timeout_ms);
    const outcome = await options.checker.checkText({ openid: options.openid, scene: options.scene, content: text }, deadline);
    options.onOutcome?.(outcome);
    const decision = decide(outcome, options.policy);
    return decision === "allow" ? { allow: true } : { allow: false, reason: { decision, outcome } };
  };
}
