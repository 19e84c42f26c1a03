// The store side of budgets, as data for the store owners (lib/store is theirs): one integer
// counter of micro-yuan per Beijing day for the app and one per user. Read (GET) in the
// admission round trip, charged (INCRBY, which returns the new total) in the record step's MULTI.
import { beijingDayKey } from "../time/beijingTime";

/** Two days: the counter of a day outlives it, for late charges and the next morning's look. */
export const SPEND_KEY_TTL_SECONDS = 2 * 24 * 3600;

export const spendKeys = {
  app: (prefix: string, nowMs: number) => `${prefix}spend:v1:app:${beijingDayKey(nowMs)}`,
  user: (prefix: string, userId: string, nowMs: number) => `${prefix}spend:v1:user:${userId}:${beijingDayKey(nowMs)}`,
};

/**
 * Commands for the record step's MULTI, in order (INCRBY then EXPIRE per key): the INCRBY
 * replies are the new totals that budgetCrossings() takes. Nothing to charge: no commands.
 * Names in lower case, as ioredis's multi([...]) wants them (Redis and Upstash ignore case).
 */
export function spendChargeCommands(prefix: string, userId: string | undefined, chargedMicroYuan: number, nowMs: number): string[][] {
  if (!(chargedMicroYuan > 0)) return [];
  const keys = [spendKeys.app(prefix, nowMs), ...(userId ? [spendKeys.user(prefix, userId, nowMs)] : [])];
  return keys.flatMap((key) => [
    ["incrby", key, String(chargedMicroYuan)],
    ["expire", key, String(SPEND_KEY_TTL_SECONDS)],
  ]);
}

/** A counter as GET returns it (null when nothing was charged today). */
export function spendOfReply(reply: unknown): number {
  const n = typeof reply === "string" || typeof reply === "number" ? Number(reply) : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
