// How many pings the warm-up timer sends a function to keep `warmup` instances of it warm.
// A ping holds its instance a moment (WARMUP_HOLD_MS), so pings sent together land on different
// instances only while each instance is full: with one request per instance that is one ping
// each, but an instance with concurrency `max` takes up to `max` of them at once (SCF routes a
// request to an instance with a free slot, doc 583/47183), so N pings could all warm one. Hence
// N x max pings: they fill N instances. With dynamic concurrency SCF may hold an instance below
// its max, and the same pings then spread over more instances: more warm, never fewer.

export { MAX_PINGS_PER_TARGET } from "../warmup/warmup";

export interface WarmedFunction {
  /** Instances to keep warm (stages.yml `warmup`). */
  warmupCount: number;
  concurrency?: { max: number };
}

export const warmupPings = (fn: WarmedFunction): number => fn.warmupCount * (fn.concurrency?.max ?? 1);
