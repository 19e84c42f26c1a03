// One computation for many callers across instances: the first to take the store's lock (SET NX
// PX) computes and stores the outcome; the others poll the store for it. A holder that froze or
// was reclaimed lets its lock expire, and the next caller computes instead: no outcome depends
// on an instance living on.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../appError";
import type { Store } from "../store/store";

export interface StoreFlightRun<T> {
  lockKey: string;
  /** How long the lock holds: longer than `compute` may take, so no second caller pays too. */
  lockMs: number;
  /** The stored outcome, if there is one (it may throw: a remembered refusal). */
  settled: () => Promise<T | undefined>;
  /** Computes and stores the outcome. */
  compute: () => Promise<T>;
}

export function createStoreFlight(deps: { store: Pick<Store, "setIfAbsent" | "del">; pollMs?: number; now?: () => number }) {
  const pollMs = deps.pollMs ?? 150;
  const now = deps.now ?? Date.now;
  return async function storeFlight<T>(run: StoreFlightRun<T>): Promise<T> {
    // Two lock lives: long enough for a frozen holder's lock to expire and be taken over.
    const deadline = now() + run.lockMs * 2;
    for (;;) {
      const done = await run.settled();
      if (done !== undefined) return done;
      if (await deps.store.setIfAbsent(run.lockKey, randomUUID(), run.lockMs)) {
        try {
          // The holder before us may have stored its outcome between our read and our lock.
          return (await run.settled()) ?? (await run.compute());
        } finally {
          await deps.store.del(run.lockKey).catch(() => undefined);
        }
      }
      if (now() >= deadline) throw new AppError(503, "refine_pending", "the refinement is still being computed; try again shortly", { "retry-after": "2" });
      await sleep(pollMs);
    }
  };
}
