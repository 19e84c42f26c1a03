// A per-IP limit kept in the instance's memory, for a route that must not touch the store: the
// warm-up without its key. What it protects is this instance (a ping costs a little CPU), so a
// per-instance count is enough, and a store trip per ping would be the very cost it guards.

export interface PingLimit {
  /** True when this address may go on; false once it used `requests` in the current window. */
  allow(address: string | undefined): boolean;
}

/** Addresses remembered at most; the oldest window goes first (a flood of addresses keeps memory flat). */
export const MAX_REMEMBERED_ADDRESSES = 10_000;

export function createPingLimit(options: { requests: number; windowMs: number; now?: () => number; maxAddresses?: number }): PingLimit {
  const now = options.now ?? Date.now;
  const max = options.maxAddresses ?? MAX_REMEMBERED_ADDRESSES;
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    allow(address) {
      const key = address ?? "unknown";
      const t = now();
      const seen = windows.get(key);
      const current = seen && t - seen.startMs < options.windowMs ? seen : { startMs: t, count: 0 };
      current.count++;
      windows.delete(key);
      windows.set(key, current);
      if (windows.size > max) windows.delete(windows.keys().next().value as string);
      return current.count <= options.requests;
    },
  };
}
