import { within } from "../async/within";

export class StoreTimeout extends Error {}

/**
 * Races a store call against the store's own time (within: a reply waiting behind a busy or
 * throttled loop is read first, and loop stalls are not counted): a slow store becomes a
 * StoreTimeout, never a hang, and a healthy one is never called slow for our loop's sake.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return within(work, ms, () => new StoreTimeout());
}
