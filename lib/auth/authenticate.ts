import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";

export interface Principal {
  userId: string;
}

/** Verifies the caller and checks the body's userId against who the token says they are. */
export type Authenticate = (req: PlainRequest, claimedUserId: string) => Promise<Principal>;

export function bearerTokenOf(req: PlainRequest): string {
  const header = req.headers.authorization;
  if (!header) throw new AppError(401, "missing_token", "send Authorization: Bearer <app token>");
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AppError(401, "malformed_token", "the Authorization header must be Bearer <app token>");
  return match[1];
}

/** Bearer app token first, then the body's userId must be the token's subject. */
export function authenticateAppToken(verify: (token: string) => Promise<string>): Authenticate {
  return async (req, claimedUserId) => {
    const subject = await verify(bearerTokenOf(req));
    if (subject !== claimedUserId) throw new AppError(403, "user_mismatch", "userId does not match the token");
    return { userId: subject };
  };
}
