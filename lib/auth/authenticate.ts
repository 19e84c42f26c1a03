import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";

/** Verifies the bearer app token from the header alone: nothing of the body is read first. */
export type Authenticate = (req: PlainRequest) => Promise<{ userId: string }>;

export function bearerTokenOf(req: PlainRequest): string {
  const header = req.headers.authorization;
  if (!header) throw new AppError(401, "missing_token", "send Authorization: Bearer <app token>");
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AppError(401, "malformed_token", "the Authorization header must be Bearer <app token>");
  return match[1];
}

export function authenticateAppToken(verify: (token: string) => Promise<string>): Authenticate {
  return async (req) => ({ userId: await verify(bearerTokenOf(req)) });
}

/** The body's userId must be the token's subject. */
export function requireSameUser(subject: string, claimedUserId: string): void {
  if (subject !== claimedUserId) throw new AppError(403, "user_mismatch", "userId does not match the token");
}
