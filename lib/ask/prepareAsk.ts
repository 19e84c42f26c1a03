// Step 4 of the walk: the intent's call (input parsed), the input rules, how the answer goes out
// (whole, streamed, or whole over SSE) and the cache key. Nothing here touches a store or a model.
import type { ResolvedEnvironment, ResolvedProfile } from "../config/config";
import { cacheKeyOf } from "../cache/cacheKey";
import type { PlainRequest } from "../http/plain";
import type { PreparedCall } from "../intents/intent";
import { reserveTokensOf } from "../limits/reserveTokens";
import type { Arm } from "../routing/resolveProfile";
import { createInputGuard } from "../safety/guards";
import type { ParsedAsk } from "./parseAsk";

/** whole: one JSON reply; stream: SSE (as the model writes; a cache hit in one delta). */
export type AnswerMode = "whole" | "stream";

export interface Plan extends ParsedAsk {
  userId: string;
  profile: ResolvedProfile;
  arm: Arm;
  call: PreparedCall;
  mode: AnswerMode;
  /** off: the profile caches nothing; bypass: the caller asked to skip it (dev, staging). */
  cache: "on" | "off" | "bypass";
  cacheKey?: string;
  /** The playground's trace in the reply (dev, staging). */
  debug: boolean;
  /** What the answer may spend at most, reserved on the quota at admission. */
  reserveTokens: number;
}

function wantsStream(req: PlainRequest, bodyFlag: boolean | undefined): boolean {
  // The event-function transport cannot stream: it answers the same request in one piece.
  return req.canStream === true && (bodyFlag === true || (req.headers.accept ?? "").includes("text/event-stream"));
}

export function createPrepareAsk(deps: { env: ResolvedEnvironment; storePrefix: string; toolRounds: number }) {
  const guardInput = createInputGuard(deps.env.safety);
  // Dev and staging may skip the cache to see a fresh answer, and ask for the trace in the
  // reply (the playground); prod does neither.
  const insiderHeaders = deps.env.name !== "prod";
  return function prepareAsk(req: PlainRequest, parsed: ParsedAsk, userId: string, route: { profile: ResolvedProfile; arm: Arm }): Plan {
    const { request } = parsed;
    const { profile } = route;
    const call = parsed.intent.prepare(request.input, request.context);
    // Before any store trip or provider: blocked input costs nothing and goes nowhere.
    guardInput(call.input, request.context);
    // A profile with tools streams too: its tool round runs first, then the answer streams.
    const mode: AnswerMode = wantsStream(req, request.stream) ? "stream" : "whole";
    const cache = !profile.cache ? "off" : insiderHeaders && req.headers["x-miniask-cache"] === "bypass" ? "bypass" : "on";
    return {
      ...parsed,
      userId,
      ...route,
      call,
      mode,
      cache,
      ...(cache === "on" ? { cacheKey: cacheKeyOf(deps.storePrefix, profile, call.input, request.context, userId) } : {}),
      debug: insiderHeaders && req.headers["x-miniask-debug"] === "1",
      reserveTokens: reserveTokensOf(profile, call, deps.toolRounds),
    };
  };
}
