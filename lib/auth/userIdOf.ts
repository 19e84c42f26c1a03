import { createHmac } from "node:crypto";

/**
 * A stable userId that is not the raw openid: an HMAC of appId + openid under a secret salt,
 * so logs, quotas and audit records never hold an identifier WeChat could map back alone.
 */
export function userIdOf(salt: string, appId: string, openid: string): string {
  return `u_${createHmac("sha256", salt).update(`${appId}:${openid}`).digest("base64url").slice(0, 22)}`;
}
