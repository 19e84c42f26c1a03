// Step 5's result as the walk uses it: the limit outcome, the rate-limit headers, and the cached
// answer when there was one (read back through zod like any stored input).
import { type CachedAnswer, cachedAnswerSchema } from "../cache/cachedAnswer";
import type { Admission } from "../limits/admit";
import { parseStoredJson } from "../validation/parseStored";
import type { Plan } from "./prepareAsk";

export interface AskAdmission {
  headers: Record<string, string>;
  limit: Admission["outcome"];
  /** What the log line says about the cache. */
  cache: "off" | "bypass" | "hit" | "miss" | "skipped";
  hit?: CachedAnswer;
  /** Tokens reserved on the quota at admission, and when: the record step settles them. */
  reserved: number;
  atMs: number;
  /** Micro-yuan held on the budget counters at admission: the record step releases it. */
  held: number;
}

export function readCachedAnswer(plan: Plan, admission: Admission): AskAdmission {
  const hit = parseStoredJson(cachedAnswerSchema, admission.cached);
  const cache = plan.cache !== "on" ? plan.cache : hit ? "hit" : admission.outcome === "store_error_open" ? "skipped" : "miss";
  return { headers: admission.headers, limit: admission.outcome, cache, reserved: admission.reserved, atMs: admission.atMs, held: admission.held ?? 0, ...(hit ? { hit } : {}) };
}
