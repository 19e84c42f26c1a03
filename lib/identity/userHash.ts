// Stable, one-way names for a user, one per purpose (the audit record, the provider's `user`
// field, the team's tool API), so none of them can be joined to another or to the userId.
// A warm instance sees the same users again and again: each name is remembered (capped).
import { sha256Hex } from "../config/canonicalJson";

const MAX_REMEMBERED = 10_000;

export type UserHashPurpose = "audit" | "provider-user" | "tool-user";

const remembered = new Map<string, string>();

export function userHashOf(purpose: UserHashPurpose, userId: string, length: number): string {
  const key = `${purpose}:${userId}`;
  const known = remembered.get(key);
  if (known !== undefined && known.length === length) return known;
  const hash = sha256Hex(key).slice(0, length);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
  remembered.set(key, hash);
  return hash;
}
