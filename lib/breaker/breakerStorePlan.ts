// The store side of shared breakers: one hash per environment prefix, one field per target, read
// in the admission round trip and written (newer wins) in the record step's MULTI. Nothing here
// opens a connection.

/** Hash of every target's shared snapshot; the version segment lets the format change. */
export function breakerHashKey(prefix: string): string {
  return `${prefix}breaker:v1`;
}

/** The hash outlives any cool-down by far, and goes once nobody writes to it for a day. */
export const BREAKER_HASH_TTL_MS = 24 * 3600 * 1000;

/**
 * This instance's shared writes (ProviderBreakers.sharedWrites) as the record step's newer-wins
 * hash fields (RecordRequest.newerFields: the Redis store's script, the memory store's rule).
 * The admission trip reads the hash back (AdmitRequest.peek.hash).
 */
export function breakerFieldWrites(prefix: string, writes: Readonly<Record<string, string>>): { key: string; field: string; value: string; atMs: number; ttlMs: number }[] {
  return Object.entries(writes).map(([field, value]) => ({ key: breakerHashKey(prefix), field, value, atMs: (JSON.parse(value) as { at: number }).at, ttlMs: BREAKER_HASH_TTL_MS }));
}
