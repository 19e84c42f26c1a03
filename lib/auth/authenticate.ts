import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";

/** Who the bearer token says called: the userId and, after a WeChat login, the sealed openid. */
export interface Principal {
  userId: string;
  sealedOpenid?: string;
}

/** Verifies the bearer app token from the header alone: nothing of the body is read first. */
export type Authenticate = (req: PlainRequest) => Promise<Principal>;

export function bearerTokenOf(req: PlainRequest): string {
  const header = req.headers.authorization;
  if (!header) throw new AppError(401, "missing_token", "send Authorization: Bearer <app token>");
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AppError(401, "malformed_token", "the Authorization header must be Bearer <app token>");
  return match[1];
}

export function authenticateAppToken(claims: (token: string) => Promise<{ sub: string; oid?: string }>): Authenticate {
  return async (req) => {
    const { sub, oid } = await claims(bearerTokenOf(req));
    return { userId: sub, ...(oid ? { sealedOpenid: oid } : {}) };
  };
}

/** The body's userId must be the token's subject. */
export function requireSameUser(subject: string, claimedUserId: string): void {
  if (subject !== claimedUserId) throw new AppError(403, "user_mismatch", "userId does not match the token");
}
