// What the replay sends a real instance: a model request per intent, every input different (no
// cache hits), signed with a dev app token.
import { issueAppToken } from "../../lib/auth/appToken";
import { parseTokenKeys } from "../../lib/auth/tokenKeys";

export const INTENT_FUNCTIONS = ["summarize", "support", "recommend", "extract"] as const;
export type IntentFunction = (typeof INTENT_FUNCTIONS)[number];

export function isIntentFunction(name: string): name is IntentFunction {
  return (INTENT_FUNCTIONS as readonly string[]).includes(name);
}

function input(fn: IntentFunction, i: number): Record<string, unknown> {
  switch (fn) {
    case "summarize":
      return { text: `Lesson ${i}: Mini Programs keep their keys on the server and call one backend per feature.`, maxBullets: 2 };
    case "support":
      return { question: `How do I reset my password? (ticket ${i})` };
    case "recommend":
      return { items: ["tea", "coffee", `item-${i}`] };
    case "extract":
      return { text: `Order id: A-${i}. City: Hangzhou.`, fields: ["order_id", "city"] };
  }
}

/** `inputOf`: the i-th request's input (the capacity run sends longer ones: longer answers). */
export async function askRequests(fn: IntentFunction, inputOf: (fn: IntentFunction, i: number) => Record<string, unknown> = input): Promise<{ headers: Record<string, string>; body: (i: number) => string }> {
  const token = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_burst", 3600)).token;
  return {
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: (i) => JSON.stringify({ intent: fn, userId: "u_burst", input: inputOf(fn, i) }),
  };
}

/** The environment an instance of the built bundle runs with here. */
export function instanceEnv(upstreamUrl: string): Record<string, string> {
  return { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstreamUrl, MINIASK_RATE_LIMITS: "off" };
}
