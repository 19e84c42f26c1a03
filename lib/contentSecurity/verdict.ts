// What a check returns: a verdict with its label, or a typed reason the check could not be
// made. Results are values; policy.ts decides what each one means for the request.
import type { ContentCategory } from "./labels";

export type Suggest = "pass" | "review" | "risky";

export interface CheckTimings {
  /** Time spent getting an access_token (0 when it was cached). */
  tokenMs: number;
  /** Wall time of the msg_sec_check calls (parts run in parallel). */
  wechatMs: number;
}

export interface CheckVerdict {
  verdict: Suggest;
  label: number;
  category: ContentCategory;
  /** How many parts the text was split into (2,500 characters each at most). */
  parts: number;
  /** WeChat's trace_id per part, for a support ticket. */
  traceIds: string[];
  timings: CheckTimings;
}

export type UnavailableReason =
  /** errcode -1: WeChat busy. */
  | "busy"
  /** The deadline passed before WeChat answered. */
  | "timeout"
  /** No connection, or an HTTP error status. */
  | "network"
  /** A reply that is not WeChat's documented shape. */
  | "bad_reply"
  /** No access_token could be had (stable_token refused or unreachable). */
  | "no_access_token"
  /** 40001/42001 even after one refresh. */
  | "bad_access_token"
  /** 40003 or 43104: the openid is not one of this Mini Program's users. */
  | "bad_openid"
  /** 61010: the user has not used the Mini Program in the last two hours. */
  | "openid_expired"
  /** The caller has no openid to check with (e.g. a token from before the feature). */
  | "no_openid"
  /** WeChat refused the request itself (40129, 44002, 47001...): a bug on our side. */
  | "rejected";

export interface CheckUnavailable {
  verdict: "unavailable";
  reason: UnavailableReason;
  /** WeChat's errcode when it answered one. */
  errcode?: number;
  timings: CheckTimings;
}

export type CheckOutcome = CheckVerdict | CheckUnavailable;

const RANK: Record<Suggest, number> = { pass: 0, review: 1, risky: 2 };

/**
 * The worst of several parts: risky beats everything (the text is blocked whatever the other
 * parts say), then an unavailable part (the text was not fully checked), then review, then pass.
 */
export function worstOutcome(outcomes: readonly CheckOutcome[]): CheckOutcome | undefined {
  let worst: CheckOutcome | undefined;
  const weight = (o: CheckOutcome) => (o.verdict === "unavailable" ? 1.5 : RANK[o.verdict]);
  for (const o of outcomes) if (!worst || weight(o) > weight(worst)) worst = o;
  return worst;
}
