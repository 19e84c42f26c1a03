// What the capacity run asks: per intent an input whose stand-in answer (scripts/local-upstream/
// replies.ts) is long enough to stream in a few hundred pieces, every input different (no cache
// hit); and for the floor, the chat request the summarize intent sends a provider.
import { environmentOf, loadConfig } from "../../lib/config/loadConfig";
import { readConfigFiles } from "../../lib/config/readConfigFiles";
import { INTENTS } from "../../lib/intents/registry";
import { ROOT } from "../bench/processes";
import type { IntentFunction } from "../burst/askRequests";

const SENTENCE = "Mini Programs keep their keys on the server and call one small backend for each feature they offer";

export function capacityInput(fn: IntentFunction, i: number): Record<string, unknown> {
  switch (fn) {
    case "summarize":
      return { text: Array.from({ length: 12 }, (_, s) => `${SENTENCE} (part ${s + 1} of request ${i}).`).join(" "), maxBullets: 12 };
    case "support":
      return { question: `My order ${i} shows as paid but the lesson stays locked after I restart the Mini Program and log in again, what should I do?` };
    case "recommend":
      return { items: Array.from({ length: 20 }, (_, k) => ({ id: `course-${i}-${k}`, title: `Course ${k} on tea, coffee and ${SENTENCE.slice(0, 40)}`, tags: ["tea", "coffee"] })), preferences: "tea", limit: 20 };
    case "extract":
      return { text: `Order id: A-${i}. City: Hangzhou. Notes: ${SENTENCE} and ${SENTENCE} and ${SENTENCE} and ${SENTENCE}.`, fields: ["order_id", "city", "notes"] };
  }
}

/** The chat request body the floor forwards: what summarize sends a provider for input i. */
export function floorChatBody(i: number): string {
  const prepared = INTENTS.summarize.prepare(capacityInput("summarize", i), undefined);
  return JSON.stringify({ model: "local-fast", messages: prepared.messages });
}


/**
 * The instances run as dev (scripts/burst/askRequests.ts instanceEnv: no WeChat check, limits
 * off). Where dev routes an intent to a profile with tools (support_v2), the model is asked
 * whole (it may call a tool) and the stream carries the answer as one event: its first event
 * is then measured against the whole answer's time, not the first token's.
 */
export function firstEventIsWholeAnswer(fn: IntentFunction): boolean {
  const config = loadConfig(readConfigFiles(ROOT));
  return (config.profiles[environmentOf(config, "dev").routing[fn]]?.tools?.length ?? 0) > 0;
}
