// The shape of each intent's answer (what its shapeAnswer in lib/intents returns), as zod
// schemas the generator turns into the client's answer types. lib/intents declares answers as
// TypeScript return types, not schemas, so they are written here and held to the intents two
// ways: recommend's against its exported Recommendation type (below, checked by tsc), and every
// intent's by test/miniprogramTypes.test.ts, which runs each real shapeAnswer and parses what it
// returns with these schemas.
import * as z from "zod/mini";
import type { Recommendation } from "../../lib/intents/recommend";
import type { IntentName } from "../../lib/intents/names";

const recommendation = z.object({ id: z.string(), title: z.string(), reason: z.string() });

export const ANSWER_SCHEMAS = {
  /** Bullet lines, each starting with "- ". */
  summarize: z.string(),
  support: z.string(),
  /** Only ids from the items sent, best first. */
  recommend: z.array(recommendation),
  /** Exactly the fields asked for; null when the text lacks one. */
  extract: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
} satisfies Record<IntentName, z.ZodMiniType>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when recommend's answer type and this schema part ways. */
export const RECOMMEND_ANSWER_MATCHES: Same<z.infer<typeof ANSWER_SCHEMAS.recommend>, Recommendation[]> = true;
