// msgSecCheck takes at most 2,500 characters per call, so longer texts go in parts. Parts end
// on sentence boundaries where possible, so a risky sentence is never cut in two and missed.
// Lengths are UTF-16 units (string.length): never more than WeChat's count of characters,
// whether it counts code points or units.
import { lastCharBoundary, lastSentenceEnd } from "./sentences";

export const MSG_SEC_CHECK_MAX_CHARS = 2500;

/** Consecutive parts whose concatenation is `text`, each at most `max` UTF-16 units. */
export function splitForCheck(text: string, max = MSG_SEC_CHECK_MAX_CHARS): string[] {
  if (!Number.isInteger(max) || max < 2) throw new RangeError("max must be an integer >= 2");
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = lastSentenceEnd(rest, max, true);
    if (cut <= 0) cut = lastCharBoundary(rest, max);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
