// Where text may be cut for a check: after a sentence, or (when a sentence runs too long) at a
// character boundary that never splits a surrogate pair or a grapheme (emoji sequences, flags,
// combining marks), so no part WeChat sees carries half a character.

const CJK_ENDS = new Set(["。", "！", "？", "\n"]);
const ASCII_ENDS = new Set([".", "!", "?"]);
// Closing quotes and brackets stay with the sentence they close: 他说：“好。” is one sentence.
const CLOSERS = new Set(["”", "’", "」", "』", "）", ")", "\"", "'", "】", "》"]);

/**
 * The end (exclusive) of the last sentence that ends at or before `limit`, or -1. An ASCII
 * . ! ? ends a sentence only before whitespace (not in 3.14 or e.g.); at the end of `text` it
 * counts only when `textIsComplete` (a stream may still be writing "3." of "3.14"). Sentence
 * ends before `from` are not looked for (a caller that already knows there are none there).
 */
export function lastSentenceEnd(text: string, limit: number, textIsComplete: boolean, from = 0): number {
  const end = Math.min(limit, text.length);
  for (let i = end - 1; i >= from; i--) {
    const ch = text[i] as string;
    let boundary = CJK_ENDS.has(ch);
    if (!boundary && ASCII_ENDS.has(ch)) {
      const next = text[i + 1];
      boundary = next === undefined ? textIsComplete : /\s/.test(next);
    }
    if (!boundary) continue;
    let cut = i + 1;
    while (cut < end && CLOSERS.has(text[cut] as string)) cut++;
    // A closer that might follow once more text arrives is not known yet: cut before it anyway;
    // a lone closing quote at the start of the next part is harmless.
    return cut;
  }
  return -1;
}

let segmenter: Intl.Segmenter | undefined;

/** The last grapheme boundary at or before `limit` (> 0 whenever limit > 0 and text is non-empty). */
export function lastCharBoundary(text: string, limit: number): number {
  if (limit >= text.length) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let cut = 0;
  for (const { index } of segmenter.segment(text)) {
    if (index > limit) break;
    cut = index;
  }
  if (cut > 0) return cut;
  // One grapheme longer than the limit (pathological): fall back to code points.
  const high = text.charCodeAt(limit - 1);
  return high >= 0xd800 && high <= 0xdbff ? limit - 1 : limit;
}

const CLAUSE_ENDS = new Set(["，", "、", "；", "：", ",", ";", ":", " ", "\t"]);

/** The end (exclusive) of the last clause (comma, semicolon, colon, space) before `limit`, or -1. */
export function lastClauseEnd(text: string, limit: number): number {
  for (let i = Math.min(limit, text.length) - 1; i > 0; i--) if (CLAUSE_ENDS.has(text[i] as string)) return i + 1;
  return -1;
}
