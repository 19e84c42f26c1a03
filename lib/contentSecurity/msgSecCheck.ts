// WeChat's text check, security.msgSecCheck v2: POST /wxa/msg_sec_check?access_token=... with
// {version: 2, openid, scene, content}. The openid must belong to a user who used the Mini
// Program in the last two hours; content is at most 2,500 characters, so longer texts go in
// parts (in parallel, a few at a time) and the worst part decides. Never throws: every failure
// is a typed `unavailable` result the caller's policy turns into allow or block.
//
// Reply shape and errcodes from WeChat's docs: -1 busy (try again), 40001 bad token, 40003
// bad openid, 40129 bad scene, 43104 openid of another app, 44002 empty, 47001 malformed,
// 61010 no visit in two hours; 42001 (expired token) is WeChat's global code. `label` is a
// number on the wire (the docs' table says string; both are accepted).
import * as z from "zod/mini";
import { dependencySignal } from "../async/dependencyDeadline";
import { type AccessTokenSource, AccessTokenUnavailable } from "./accessToken";
import { categoryOf } from "./labels";
import { MSG_SEC_CHECK_MAX_CHARS, splitForCheck } from "./splitForCheck";
import { type CheckOutcome, type CheckTimings, type CheckUnavailable, type CheckVerdict, type UnavailableReason, worstOutcome } from "./verdict";

export type Scene = 1 | 2 | 3 | 4;

export interface CheckTextRequest {
  openid: string;
  /** 1 profile, 2 comment, 3 forum, 4 social log. */
  scene: Scene;
  content: string;
}

export interface ContentCheckerOptions {
  /** https://api.weixin.qq.com, or a local fake in tests. */
  apiBase: string;
  accessTokens: AccessTokenSource;
  now?: () => number;
  /** Parts of one text checked at once (default 4; WeChat allows 4,000 calls a minute per AppID). */
  concurrency?: number;
  /** Retry once after errcode -1 when the deadline leaves time (default true). */
  retryBusy?: boolean;
}

export interface ContentChecker {
  checkText(request: CheckTextRequest, deadlineMs: number): Promise<CheckOutcome>;
}

const labelSchema = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
  z.transform((v) => Number(v)),
);

const replySchema = z.object({
  errcode: z.optional(z.number()),
  trace_id: z.optional(z.string()),
  result: z.optional(z.object({ suggest: z.enum(["pass", "review", "risky"]), label: labelSchema })),
});

type PartResult = { kind: "verdict"; suggest: "pass" | "review" | "risky"; label: number; traceId?: string } | { kind: "error"; errcode: number } | { kind: "unavailable"; reason: UnavailableReason };

const TOKEN_REJECTED = new Set([40001, 42001]);

function unavailableFor(errcode: number): UnavailableReason {
  if (errcode === -1) return "busy";
  if (TOKEN_REJECTED.has(errcode)) return "bad_access_token";
  if (errcode === 40003 || errcode === 43104) return "bad_openid";
  if (errcode === 61010) return "openid_expired";
  return "rejected";
}

async function postOnce(apiBase: string, token: string, body: string, deadlineMs: number, now: () => number): Promise<PartResult> {
  const remaining = deadlineMs - now();
  if (remaining <= 0) return { kind: "unavailable", reason: "timeout" };
  let json: unknown;
  // WeChat's time, not our loop's: a verdict waiting behind a busy loop is not a timeout.
  const deadline = dependencySignal(remaining);
  try {
    const url = new URL("/wxa/msg_sec_check", apiBase);
    url.searchParams.set("access_token", token);
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: deadline.signal });
    if (!res.ok) return { kind: "unavailable", reason: "network" };
    json = JSON.parse(await res.text());
  } catch (err) {
    if (err instanceof SyntaxError) return { kind: "unavailable", reason: "bad_reply" };
    return { kind: "unavailable", reason: err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError") ? "timeout" : "network" };
  } finally {
    deadline.cancel();
  }
  const reply = z.safeParse(replySchema, json);
  if (!reply.success) return { kind: "unavailable", reason: "bad_reply" };
  const { errcode = 0, result, trace_id } = reply.data;
  if (errcode !== 0) return { kind: "error", errcode };
  if (!result) return { kind: "unavailable", reason: "bad_reply" };
  return { kind: "verdict", suggest: result.suggest, label: result.label, ...(trace_id ? { traceId: trace_id } : {}) };
}

/** Runs `work` over `items`, at most `limit` at a time, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function createContentChecker(options: ContentCheckerOptions): ContentChecker {
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const retryBusy = options.retryBusy ?? true;

  return {
    async checkText({ openid, scene, content }, deadlineMs) {
      const started = now();
      let tokenMs = 0;
      const timings = (): CheckTimings => ({ tokenMs, wechatMs: Math.max(0, now() - started - tokenMs) });
      const unavailable = (reason: UnavailableReason, errcode?: number): CheckUnavailable => ({ verdict: "unavailable", reason, ...(errcode === undefined ? {} : { errcode }), timings: timings() });
      const parts = splitForCheck(content, MSG_SEC_CHECK_MAX_CHARS).filter((p) => p.trim() !== "");
      if (parts.length === 0) return { verdict: "pass", label: 100, category: "normal", parts: 0, traceIds: [], timings: timings() };
      if (openid === "") return unavailable("no_openid");

      const timedToken = async (get: () => Promise<{ token: string }>): Promise<string | CheckUnavailable> => {
        const t0 = now();
        try {
          return (await get()).token;
        } catch (err) {
          return unavailable(err instanceof AccessTokenUnavailable && err.reason === "timeout" ? "timeout" : "no_access_token");
        } finally {
          tokenMs += now() - t0;
        }
      };
      let token = await timedToken(() => options.accessTokens.get(deadlineMs));
      if (typeof token !== "string") return token;

      const checkPart = async (part: string): Promise<CheckOutcome> => {
        const body = JSON.stringify({ version: 2, openid, scene, content: part });
        let replaced = false;
        let retried = false;
        for (;;) {
          const used = token as string;
          const result = await postOnce(options.apiBase, used, body, deadlineMs, now);
          if (result.kind === "verdict") return { verdict: result.suggest, label: result.label, category: categoryOf(result.label), parts: 1, traceIds: result.traceId ? [result.traceId] : [], timings: timings() };
          if (result.kind === "unavailable") return unavailable(result.reason);
          if (TOKEN_REJECTED.has(result.errcode) && !replaced) {
            replaced = true;
            const fresh = await timedToken(() => options.accessTokens.replace(used, deadlineMs));
            if (typeof fresh !== "string") return fresh;
            token = fresh;
            continue;
          }
          // Busy: one quick retry while at least half the budget since the start remains.
          if (result.errcode === -1 && retryBusy && !retried && deadlineMs - now() > (now() - started) * 2) {
            retried = true;
            continue;
          }
          return unavailable(unavailableFor(result.errcode), result.errcode);
        }
      };

      const outcomes = await mapBounded(parts, concurrency, checkPart);
      const worst = worstOutcome(outcomes) as CheckOutcome;
      if (worst.verdict === "unavailable") return { ...worst, timings: timings() };
      const traceIds = outcomes.flatMap((o) => (o.verdict === "unavailable" ? [] : o.traceIds));
      const verdict: CheckVerdict = { ...worst, parts: parts.length, traceIds, timings: timings() };
      return verdict;
    },
  };
}
