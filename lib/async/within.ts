/**
 * `work`, or a rejection with `late()`'s error once `ms` have passed; the timer never outlives
 * the race. `late` runs when the time is up, before the rejection (it may abort the work).
 */
export async function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
