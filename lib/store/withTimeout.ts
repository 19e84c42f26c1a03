import { within } from "../async/within";

export class StoreTimeout extends Error {}

/** Races a store call against a timer: a slow store becomes a StoreTimeout, never a hang. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return within(work, ms, () => new StoreTimeout());
}
