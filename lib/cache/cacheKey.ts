import { canonicalJson, sha256Hex } from "../config/canonicalJson";
import type { ResolvedProfile } from "../config/loadConfig";
import type { AskContext } from "../intents/intent";
import { storeKeys } from "../store/storeKeys";

/** Unicode-normalised, trimmed, single-spaced: the same question typed twice is one key. */
function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.normalize("NFKC").trim().replace(/\s+/g, " ");
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/**
 * The profile's name and content hash (a changed prompt never serves old answers), and
 * everything that reaches the prompt: the parsed input and the context. A profile with
 * `per_user` adds the userId. So two requests share an answer only if they would have sent
 * the model the very same messages.
 */
export function cacheKeyOf(prefix: string, profile: ResolvedProfile, input: unknown, context: AskContext | undefined, userId: string): string {
  // A profile with tools is cached per user whatever it says: a tool's result can depend on who
  // asked (the team's API checks that an order is theirs), so one user's answer must never be
  // another's, from the cache or from a shared in-flight call.
  const perUser = profile.cache?.per_user === true || (profile.tools?.length ?? 0) > 0;
  const material = { input: normalize(input), context: context ? normalize(context) : null, user: perUser ? userId : null };
  return storeKeys.cache(prefix, profile.name, profile.contentHash, sha256Hex(canonicalJson(material)).slice(0, 32));
}
