// POST /v1/mini/login {"code"}: WeChat code -> stable userId -> short-lived app token.
import * as z from "zod/mini";
import { AppError } from "../appError";
import type { EnvironmentName } from "../config/schema";
import { jsonResponse } from "../http/plain";
import type { RouteHandler } from "../http/router";
import type { IpLimit } from "../limits/ipLimit";
import { parseJsonBody } from "../request/parseJsonBody";
import { sealOpenid } from "../contentSecurity/openidSeal";
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
  /** Logins carry no token: limited per client IP before WeChat is called. */
  ipLimit?: IpLimit;
  now?: () => number;
}

export function createLoginHandler(deps: LoginDeps): RouteHandler {
  const now = deps.now ?? Date.now;
  return async (req, ctx) => {
    await deps.ipLimit?.(req.clientIp, ctx.traceId);
    const { code } = parseJsonBody(req, loginSchema, 4096);
    if (!deps.wechat) throw new AppError(503, "login_not_configured", "WeChat login is not configured here (WECHAT_APPID, WECHAT_SECRET); in dev use npm run token");
    const identity = await code2Session(deps.wechat, code);
    const userId = userIdOf(deps.userIdSalt, deps.wechat.appId, identity.openid);
    // The openid rides in the token, encrypted, for WeChat's content check; never in the clear.
    const sealed = await sealOpenid(identity.openid, deps.tokenKeys.signing.secret);
    const issued = await issueAppToken(deps.tokenKeys, deps.env, userId, deps.tokenTtlSeconds, Math.floor(now() / 1000), sealed);
    ctx.note({ userId });
    return jsonResponse(200, { token: issued.token, userId, expiresAt: issued.expiresAt, traceId: ctx.traceId }, { "x-trace-id": ctx.traceId, "cache-control": "no-store" });
  };
}
