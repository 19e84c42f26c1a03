// Content security per environment (env-policy.yaml `content_security:`), and the one rule
// that turns a check's outcome into what happens to the request. Off unless switched on.
import * as z from "zod/mini";
import type { CheckOutcome } from "./verdict";

export const contentSecurityPolicySchema = z.strictObject({
  /** Check what users send, before any store trip or provider call. */
  input: z._default(z.boolean(), false),
  /** Check what the model says, before it is returned, streamed or cached. */
  output: z._default(z.boolean(), false),
  /** msgSecCheck scene: 1 profile, 2 comment, 3 forum, 4 social log. */
  scene: z._default(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]), 2),
  /** WeChat busy, slow or unreachable: let the text through (open) or refuse it (closed). */
  on_unavailable: z._default(z.enum(["open", "closed"]), "closed"),
  /** WeChat's "review" suggestion (uncertain): allow or block. */
  on_review: z._default(z.enum(["allow", "block"]), "allow"),
  /** Streams release text after each checked sentence, or every this many characters. */
  every_chars: z._default(z.int().check(z.gte(20), z.lte(2500)), 200),
  /** Most time one check may take out of the request's budget. */
  timeout_ms: z._default(z.int().check(z.gte(100), z.lte(10_000)), 1500),
});

export type ContentSecurityPolicy = z.infer<typeof contentSecurityPolicySchema>;

/** The policy with every default: nothing checked. (A literal: no schema runs at a cold start.) */
export const CONTENT_SECURITY_OFF: ContentSecurityPolicy = { input: false, output: false, scene: 2, on_unavailable: "closed", on_review: "allow", every_chars: 200, timeout_ms: 1500 };

export type Decision = "allow" | "block" | "unavailable_block";

export function decide(outcome: CheckOutcome, policy: Pick<ContentSecurityPolicy, "on_unavailable" | "on_review">): Decision {
  switch (outcome.verdict) {
    case "pass":
      return "allow";
    case "review":
      return policy.on_review === "block" ? "block" : "allow";
    case "risky":
      return "block";
    case "unavailable":
      return policy.on_unavailable === "open" ? "allow" : "unavailable_block";
  }
}
