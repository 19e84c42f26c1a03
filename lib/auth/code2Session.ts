// WeChat's code2Session: GET /sns/jscode2session. The session_key in its reply is dropped here,
// inside this call: it is never returned, logged or stored (platform-facts.md, WeChat login).
import * as z from "zod/mini";
import { AppError } from "../appError";
import { dependencySignal } from "../async/dependencyDeadline";

export interface WechatApp {
  appId: string;
  secret: string;
  /** https://api.weixin.qq.com, or a local fake in tests. */
  apiBase: string;
  timeoutMs?: number;
}

export interface WechatIdentity {
  openid: string;
  unionid?: string;
}

const replySchema = z.object({
  openid: z.optional(z.string().check(z.minLength(1))),
  unionid: z.optional(z.string()),
  errcode: z.optional(z.number()),
  errmsg: z.optional(z.string()),
});

class Busy extends Error {}

async function requestOnce(app: WechatApp, code: string): Promise<WechatIdentity> {
  const url = new URL("/sns/jscode2session", app.apiBase);
  url.search = new URLSearchParams({ appid: app.appId, secret: app.secret, js_code: code, grant_type: "authorization_code" }).toString();
  let text: string;
  try {
    // WeChat's time, not our loop's: a reply already waiting to be read is not a timeout.
    const deadline = dependencySignal(app.timeoutMs ?? 3000);
    try {
      const res = await fetch(url, { signal: deadline.signal });
      text = await res.text();
      if (res.status >= 500) throw new Busy();
    } finally {
      deadline.cancel();
    }
  } catch {
    throw new Busy();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Busy();
  }
  const reply = z.safeParse(replySchema, json);
  if (!reply.success) throw new Busy();
  const { errcode, openid, unionid } = reply.data;
  // WeChat's errmsg is not passed on: it can echo request details.
  switch (errcode ?? 0) {
    case 0:
      if (!openid) throw new Busy();
      return unionid ? { openid, unionid } : { openid };
    case 40029:
    case 40163:
      throw new AppError(401, "bad_code", "the login code is invalid or already used; call wx.login again");
    case 45011:
      throw new AppError(429, "login_rate_limited", "too many logins; try again in a minute", { "retry-after": "60" });
    case 40226:
      throw new AppError(403, "user_blocked", "WeChat blocked this login (high-risk user)");
    case -1:
      throw new Busy();
    default:
      throw new AppError(502, "wechat_error", `WeChat refused the login (errcode ${errcode})`);
  }
}

/** One retry when WeChat is busy (-1), unreachable or unreadable; then 503. */
export async function code2Session(app: WechatApp, code: string): Promise<WechatIdentity> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await requestOnce(app, code);
    } catch (err) {
      if (!(err instanceof Busy)) throw err;
    }
  }
  throw new AppError(503, "wechat_unavailable", "WeChat login is unavailable; try again shortly", { "retry-after": "2" });
}
