// POST /v1/mini/login {"code"}: WeChat code -> stable userId -> short-lived app token.
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { AppError } from "../appError";
import type { EnvironmentName } from "../config/schema";
import { errorResponse } from "../http/errorResponse";
import { type PlainRequest, type PlainResponse, jsonResponse } from "../http/plain";
import { traceIdOf } from "../http/traceId";
import type { Logger } from "../observability/logger";
import { parseJsonBody } from "../request/parseJsonBody";
import { issueAppToken } from "./appToken";
import { type WechatApp, code2Session } from "./code2Session";
import type { TokenKeys } from "./tokenKeys";
import { userIdOf } from "./userIdOf";

const loginSchema = z.object({ code: z.string().check(z.regex(/^[\w-]{1,128}$/, "expected the code from wx.login")) });

export interface LoginDeps {
  env: EnvironmentName;
  /** Undefined when WeChat is not configured (dev without WECHAT_APPID): login answers 503. */
  wechat: WechatApp | undefined;
  userIdSalt: string;
  tokenKeys: TokenKeys;
  tokenTtlSeconds: number;
  logger: Logger;
  now?: () => number;
}

export function createLoginHandler(deps: LoginDeps): (req: PlainRequest) => Promise<PlainResponse> {
  const now = deps.now ?? Date.now;
  return async (req) => {
    const started = now();
    const traceId = traceIdOf(req, randomUUID);
    let response: PlainResponse;
    const log: Record<string, unknown> = {};
    try {
      const { code } = parseJsonBody(req, loginSchema, 4096);
      if (!deps.wechat) throw new AppError(503, "login_not_configured", "WeChat login is not configured here (WECHAT_APPID, WECHAT_SECRET); in dev use npm run token");
      const identity = await code2Session(deps.wechat, code);
      const userId = userIdOf(deps.userIdSalt, deps.wechat.appId, identity.openid);
      const issued = await issueAppToken(deps.tokenKeys, deps.env, userId, deps.tokenTtlSeconds, Math.floor(now() / 1000));
      log.userId = userId;
      response = jsonResponse(200, { token: issued.token, userId, expiresAt: issued.expiresAt, traceId }, { "x-trace-id": traceId, "cache-control": "no-store" });
    } catch (err) {
      response = errorResponse(err, traceId);
      if (err instanceof AppError) log.code = err.code;
    }
    deps.logger.info("login", { traceId, env: deps.env, requestId: req.requestId, ...log, status: response.status, ms: now() - started });
    return response;
  };
}
