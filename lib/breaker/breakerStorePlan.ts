// The store side of shared breakers, as data for the store owners to embed (lib/store is theirs):
// one hash per environment prefix, one field per target, read in the admission round trip and
// written in the record step's MULTI. Nothing here opens a connection.

/** Hash of every target's shared snapshot; the version segment lets the format change. */
export function breakerHashKey(prefix: string): string {
  return `${prefix}breaker:v1`;
}

/** The hash outlives any cool-down by far, and goes once nobody writes to it for a day. */
export const BREAKER_HASH_TTL_MS = 24 * 3600 * 1000;

/**
 * Read side, appended to the admission script (which already runs as one EVALSHA): with the
 * hash key passed as its last KEYS entry, the script adds the flat field/value array to its
 * reply. A Redis pipeline (limit script + HGETALL in one write) would serve as well.
 */
export const BREAKER_READ_LUA = `local breakers = redis.call('HGETALL', KEYS[#KEYS])`;

/** Turns HGETALL's flat reply ([field, value, field, value, ...]) into a record. */
export function fieldsOfHgetall(reply: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(reply)) return fields;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const field: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof field === "string" && typeof value === "string") fields[field] = value;
  }
  return fields;
}

/**
 * Write side, one call per written field inside the record step's MULTI:
 * EVALSHA <sha> 1 <hashKey> <field> <json> <atMs> <ttlMs>. Newer wins: a slow request's
 * "open at t1" landing after another instance's "closed at t2 > t1" does not reopen the target
 * for everyone (the rule of newerSnapshot, for the memory store).
 */
export const BREAKER_WRITE_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, old = pcall(cjson.decode, current)
  if ok and type(old) == 'table' and tonumber(old['at']) and tonumber(old['at']) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** The arguments of BREAKER_WRITE_LUA for each field of ProviderBreakers.sharedWrites(). */
export function breakerWriteArgs(prefix: string, writes: Readonly<Record<string, string>>): { keys: [string]; args: [string, string, string, string] }[] {
  return Object.entries(writes).map(([field, json]) => {
    const at = (JSON.parse(json) as { at: number }).at;
    return { keys: [breakerHashKey(prefix)], args: [field, json, String(at), String(BREAKER_HASH_TTL_MS)] };
  });
}
