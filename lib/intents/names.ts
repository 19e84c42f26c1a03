/** Every intent the backend knows. Adding one: a name here, a module in lib/intents, a function, a profile. */
export const INTENT_NAMES = ["summarize", "support", "recommend", "extract"] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

export function isIntentName(value: string): value is IntentName {
  return (INTENT_NAMES as readonly string[]).includes(value);
}
