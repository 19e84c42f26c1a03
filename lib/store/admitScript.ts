// The admit step as one Lua script, so it is atomic and one round trip on Redis (TCP) and
// Upstash alike. No `#!lua flags=` line: Redis 7.0 (local, TencentDB) rejects those.
// Semantics mirror memoryStore.ts and slidingWindowUse(); a shared test suite runs on all three.
import { createHash } from "node:crypto";
import type { AdmitRequest, AdmitResult, Peeked } from "./store";

export const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local cached = false
if KEYS[2] ~= '' then cached = redis.call('GET', KEYS[2]) end
local quota_used = 0
if KEYS[1] ~= '' then quota_used = tonumber(redis.call('GET', KEYS[1]) or '0') end
local reserve = tonumber(ARGV[3])
local tight_limit, tight_remaining, tight_reset = -1, -1, 0
local counters = {}
for i = 3, #KEYS do
  local limit = tonumber(ARGV[(i - 3) * 2 + 7 + tonumber(ARGV[5])])
  local window = tonumber(ARGV[(i - 3) * 2 + 8 + tonumber(ARGV[5])])
  local index = math.floor(now / window)
  local cur_key = KEYS[i] .. ':' .. index
  local cur = tonumber(redis.call('GET', cur_key) or '0')
  local prev = tonumber(redis.call('GET', KEYS[i] .. ':' .. (index - 1)) or '0')
  local used = math.ceil(prev * ((window - (now % window)) / window)) + cur
  local reset = (index + 1) * window - now
  if used >= limit then return {1, limit, 0, reset} end
  local remaining = limit - used - 1
  if tight_limit < 0 or remaining < tight_remaining then
    tight_limit, tight_remaining, tight_reset = limit, remaining, reset
  end
  counters[#counters + 1] = {cur_key, window}
end
local function peeked()
  local values, hash = {}, {}
  local n = tonumber(ARGV[5])
  for i = 1, n do values[i] = redis.call('GET', ARGV[6 + i]) or '' end
  if ARGV[6] ~= '' then hash = redis.call('HGETALL', ARGV[6]) end
  return values, hash
end
local quota_limit = tonumber(ARGV[2])
if not cached and quota_limit >= 0 and quota_used >= quota_limit then return {2, quota_used, quota_limit, 0} end
for _, c in ipairs(counters) do
  redis.call('INCR', c[1])
  redis.call('PEXPIRE', c[1], c[2] * 2)
end
local values, hash = peeked()
if cached then return {0, tight_limit, tight_remaining, tight_reset, quota_used, cached, 0, values, hash, 0} end
-- Money held on the budget counters (after the peek read them), released by the record step.
local held = 0
local hold_at = 7 + tonumber(ARGV[5]) + 2 * (#KEYS - 2)
if ARGV[hold_at] then
  held = tonumber(ARGV[hold_at])
  for i = 1, tonumber(ARGV[hold_at + 2]) do
    redis.call('INCRBY', ARGV[hold_at + 2 + i], held)
    redis.call('PEXPIRE', ARGV[hold_at + 2 + i], tonumber(ARGV[hold_at + 1]))
  end
end
-- A miss reserves what it may spend, so concurrent requests see it before the model answers;
-- the record step settles the difference with the real usage.
if KEYS[1] ~= '' and reserve > 0 then
  redis.call('INCRBY', KEYS[1], reserve)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
else
  reserve = 0
end
return {0, tight_limit, tight_remaining, tight_reset, quota_used, false, reserve, values, hash, held}
`;

export const ADMIT_SCRIPT_SHA = createHash("sha1").update(ADMIT_SCRIPT).digest("hex");

export function admitKeysAndArgs(request: AdmitRequest): { keys: string[]; args: string[] } {
  const keys = [request.quota?.key ?? "", request.cacheKey ?? "", ...request.limits.map((l) => l.key)];
  const args = [
    String(request.nowMs),
    String(request.quota?.limit ?? -1),
    String(request.quota?.reserve ?? 0),
    String((request.quota?.ttlSeconds ?? 0) * 1000),
    // Peeked keys travel as arguments: they are read only, and never part of the decision.
    String(request.peek?.keys?.length ?? 0),
    request.peek?.hash ?? "",
    ...(request.peek?.keys ?? []),
    ...request.limits.flatMap((l) => [String(l.limit), String(l.windowMs)]),
    // The hold last, and only a real one: amount, TTL (ms), how many counters, the counters.
    ...(request.hold && request.hold.amount > 0 && request.hold.keys.length > 0
      ? [String(request.hold.amount), String(request.hold.ttlSeconds * 1000), String(request.hold.keys.length), ...request.hold.keys]
      : []),
  ];
  return { keys, args };
}

function peekedOf(values: unknown, hash: unknown): Peeked | undefined {
  if (!Array.isArray(values)) return undefined;
  const fields: Record<string, string> = {};
  if (Array.isArray(hash)) for (let i = 0; i + 1 < hash.length; i += 2) fields[String(hash[i])] = String(hash[i + 1]);
  return { values: values.map((v) => (v === "" || v === null || v === undefined || v === false ? undefined : String(v))), hash: fields };
}

/** Reads the script's reply array (numbers may come back as numbers or strings). */
export function admitResultOf(reply: unknown): AdmitResult {
  if (!Array.isArray(reply)) throw new Error("admit script: unexpected reply");
  const n = (i: number) => Number(reply[i]);
  switch (n(0)) {
    case 0: {
      const limit = n(1) >= 0 ? { limit: n(1), remaining: n(2), resetMs: n(3) } : undefined;
      const cached = typeof reply[5] === "string" ? reply[5] : undefined;
      const reserved = reply[6] === undefined ? 0 : n(6);
      const peeked = peekedOf(reply[7], reply[8]);
      const held = reply[9] === undefined ? 0 : n(9);
      return { outcome: "admitted", quotaUsed: n(4), reserved, ...(limit ? { limit } : {}), ...(cached === undefined ? {} : { cached }), ...(peeked ? { peeked } : {}), ...(held > 0 ? { held } : {}) };
    }
    case 1:
      return { outcome: "rate_limited", limit: { limit: n(1), remaining: 0, resetMs: n(3) } };
    case 2:
      return { outcome: "quota_exceeded", quotaUsed: n(1), quotaLimit: n(2) };
    default:
      throw new Error("admit script: unknown status");
  }
}
