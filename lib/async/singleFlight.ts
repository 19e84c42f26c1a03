/**
 * Identical concurrent misses in one instance share one model call: the first caller leads,
 * the others await its result. (Across instances each one's first miss still calls the model.)
 */
export function createSingleFlight<T>() {
  const inFlight = new Map<string, Promise<T>>();
  return async function run(key: string, work: () => Promise<T>): Promise<{ value: T; leader: boolean }> {
    const existing = inFlight.get(key);
    if (existing) return { value: await existing, leader: false };
    const promise = work();
    inFlight.set(key, promise);
    try {
      return { value: await promise, leader: true };
    } finally {
      inFlight.delete(key);
    }
  };
}
