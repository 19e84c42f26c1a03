// POST /v1/mini/refine {traceId}: the refined answer of an earlier /ask.
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { AppError } from "../appError";
import { bearerTokenOf } from "../auth/authenticate";
import { errorResponse } from "../http/errorResponse";
import { type PlainRequest, type PlainResponse, jsonResponse } from "../http/plain";
import { traceIdOf } from "../http/traceId";
import type { Logger } from "../observability/logger";
import { TRACE_ID } from "../http/limits";
import { parseJsonBody } from "../request/parseJsonBody";
import type { Refiner } from "./refiner";

const bodySchema = z.object({ traceId: z.string().check(z.regex(TRACE_ID, "expected the traceId of the answer to refine")) });

export function createRefineHandler(deps: { refiner: Refiner; verifyToken: (token: string) => Promise<string>; logger: Logger; env: string }) {
  return async (req: PlainRequest): Promise<PlainResponse> => {
    const started = Date.now();
    let traceId = traceIdOf(req, randomUUID);
    let response: PlainResponse;
    const log: Record<string, unknown> = {};
    try {
      traceId = parseJsonBody(req, bodySchema, 4096).traceId;
      const userId = await deps.verifyToken(bearerTokenOf(req));
      const refined = await deps.refiner.answer(traceId, userId);
      Object.assign(log, { profile: refined.profile, model: refined.model });
      response = jsonResponse(200, { ...refined, traceId, refined: true }, { "x-trace-id": traceId });
    } catch (err) {
      response = errorResponse(err, traceId);
      if (err instanceof AppError) log.code = err.code;
    }
    deps.logger.info("refine", { traceId, env: deps.env, requestId: req.requestId, ...log, status: response.status, ms: Date.now() - started });
    return response;
  };
}
