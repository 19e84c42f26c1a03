// The store side of budgets: one integer counter of micro-yuan per Beijing day for the app and
// one per user. Read along with admission, charged (INCRBY, which returns the new total) in the
// record step's MULTI (lib/cost/budgetGate.ts says which).
import { beijingDayKey } from "../time/beijingTime";

/** Two days: the counter of a day outlives it, for late charges and the next morning's look. */
export const SPEND_KEY_TTL_SECONDS = 2 * 24 * 3600;

export const spendKeys = {
  app: (prefix: string, nowMs: number) => `${prefix}spend:v1:app:${beijingDayKey(nowMs)}`,
  user: (prefix: string, userId: string, nowMs: number) => `${prefix}spend:v1:user:${userId}:${beijingDayKey(nowMs)}`,
  /**
   * What requests in flight may still spend (held at admission, released at settlement), beside
   * the spend itself: the spend counter stays the real cost, so its crossings stay exact.
   */
  appHeld: (prefix: string, nowMs: number) => `${prefix}spend:v1:held:app:${beijingDayKey(nowMs)}`,
  userHeld: (prefix: string, userId: string, nowMs: number) => `${prefix}spend:v1:held:user:${userId}:${beijingDayKey(nowMs)}`,
};

/** A counter as GET returns it (null when nothing was charged today). */
export function spendOfReply(reply: unknown): number {
  const n = typeof reply === "string" || typeof reply === "number" ? Number(reply) : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
