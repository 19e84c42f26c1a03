// POST /v1/mini/refine {traceId}: the refined answer of an earlier /ask, to the same user only.
import * as z from "zod/mini";
import type { Authenticate } from "../auth/authenticate";
import { TRACE_ID } from "../http/limits";
import { jsonResponse } from "../http/plain";
import type { RouteHandler } from "../http/router";
import { parseJsonBody } from "../request/parseJsonBody";
import type { Refiner } from "./refiner";

const bodySchema = z.object({ traceId: z.string().check(z.regex(TRACE_ID, "expected the traceId of the answer to refine")) });

export function createRefineHandler(deps: {
  refiner: Refiner;
  authenticate: Authenticate;
  openidOf?: (sealed: string | undefined) => Promise<string | undefined>;
  /** The per-user limits and the money budgets: a refinement may call the strong model, so every call counts (429 past them); release() gives back what it held. */
  limit?: (userId: string, traceId: string) => Promise<{ release: () => Promise<void> } | void>;
}): RouteHandler {
  return async (req, ctx) => {
    const { traceId } = parseJsonBody(req, bodySchema, 4096);
    ctx.traceId = traceId;
    const principal = await deps.authenticate(req);
    const admitted = await deps.limit?.(principal.userId, traceId);
    let refined: Awaited<ReturnType<Refiner["answer"]>>;
    try {
      refined = await deps.refiner.answer(traceId, principal.userId, await deps.openidOf?.(principal.sealedOpenid));
    } finally {
      // The refiner charged what the strong call cost; what admission held goes back either way.
      await admitted?.release();
    }
    ctx.note({ profile: refined.profile, model: refined.model });
    return jsonResponse(200, { ...refined, traceId, refined: true }, { "x-trace-id": traceId });
  };
}
