export class StoreTimeout extends Error {}

/** Races a store call against a timer: a slow store becomes a StoreTimeout, never a hang. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new StoreTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
