// WeChat's content check in the request path: the input before any provider, a whole answer
// before it is returned or cached, a stream span by span before each span reaches the client.
// Each check's decision follows the environment's policy; the time WeChat took is reported
// for the log line's timings.
import { AppError } from "../appError";
import { type GateBlock, contentGateCheck } from "./gateCheck";
import { CATEGORY_TITLES } from "./labels";
import type { ContentChecker, Scene } from "./msgSecCheck";
import { type ContentSecurityPolicy, decide } from "./policy";
import { type StreamGate, createStreamGate } from "./streamGate";
import type { CheckOutcome } from "./verdict";

export interface ContentGuard {
  readonly input: boolean;
  readonly output: boolean;
  /** 422 blocked_input, or 503 content_check_unavailable when WeChat cannot say and the policy is closed. */
  checkInput(text: string, openid: string | undefined, deadlineMs: number): Promise<void>;
  /** 502 blocked_output, or 503 as above. */
  checkOutput(text: string, openid: string | undefined, deadlineMs: number): Promise<void>;
  /** A gate that releases streamed text only once it passed; undefined when output is not checked. */
  streamGate(openid: string | undefined, deadlineMs: number): StreamGate<GateBlock> | undefined;
  /** What a gate's block means for the client. */
  blockedStream(block: GateBlock): AppError;
}

/** For a caller without an openid (a token from npm run token, or from before the feature). */
const NO_OPENID: CheckOutcome = { verdict: "unavailable", reason: "no_openid", timings: { tokenMs: 0, wechatMs: 0 } };

function refusal(where: "input" | "output", outcome: CheckOutcome, blocked: boolean): AppError {
  if (!blocked || outcome.verdict === "unavailable") {
    return new AppError(503, "content_check_unavailable", "the content check is unavailable right now; try again shortly", { "retry-after": "2" });
  }
  const category = outcome.category;
  const fields = { category, categoryTitle: CATEGORY_TITLES[category] };
  return where === "input"
    ? new AppError(422, "blocked_input", `the input was refused by WeChat's content rules (${category})`, {}, undefined, fields)
    : new AppError(502, "blocked_output", `the answer was withheld by WeChat's content rules (${category})`, {}, undefined, fields);
}

export function createContentGuard(deps: { policy: ContentSecurityPolicy; checker: ContentChecker; onCheck?: (outcome: CheckOutcome) => void; now?: () => number }): ContentGuard {
  const { policy, checker } = deps;
  const now = deps.now ?? Date.now;
  const scene = policy.scene as Scene;
  const check = async (where: "input" | "output", text: string, openid: string | undefined, deadlineMs: number) => {
    if (text.trim() === "") return;
    const outcome = openid ? await checker.checkText({ openid, scene, content: text }, Math.min(deadlineMs, now() + policy.timeout_ms)) : NO_OPENID;
    deps.onCheck?.(outcome);
    const decision = decide(outcome, policy);
    // Stryker disable next-line ConditionalExpression: "unavailable_block" comes only with an unavailable outcome, which refusal() makes a 503 either way.
    if (decision !== "allow") throw refusal(where, outcome, decision === "block");
  };
  return {
    input: policy.input,
    output: policy.output,
    checkInput: (text, openid, deadlineMs) => (policy.input ? check("input", text, openid, deadlineMs) : Promise.resolve()),
    // Stryker disable next-line StringLiteral: refusal() only asks whether `where` is "input".
    checkOutput: (text, openid, deadlineMs) => (policy.output ? check("output", text, openid, deadlineMs) : Promise.resolve()),
    streamGate(openid, deadlineMs) {
      if (!policy.output) return undefined;
      const gateCheck = openid
        ? contentGateCheck({ checker, policy, openid, scene, deadlineMs, now, ...(deps.onCheck ? { onOutcome: deps.onCheck } : {}) })
        : async () => {
            deps.onCheck?.(NO_OPENID);
            return decide(NO_OPENID, policy) === "allow" ? ({ allow: true } as const) : ({ allow: false, reason: { decision: "unavailable_block", outcome: NO_OPENID } } as const);
          };
      return createStreamGate<GateBlock>({ check: gateCheck, everyChars: policy.every_chars });
    },
    // Stryker disable next-line StringLiteral,ConditionalExpression: refusal() only asks whether `where` is "input"; an unavailable_block's outcome is unavailable, a 503 either way.
    blockedStream: (block) => refusal("output", block.outcome, block.decision === "block"),
  };
}
