import type { FaqEntry } from "../config/schema";

function words(text: string): string[] {
  const lower = text.normalize("NFKC").toLowerCase();
  // Latin words, plus overlapping pairs of CJK characters (Chinese has no spaces).
  const latin = lower.match(/[a-z0-9]{3,}/g) ?? [];
  const cjk = [...lower.matchAll(/[\u4e00-\u9fff]+/g)].flatMap(([run]) => Array.from({ length: Math.max(0, run.length - 1) }, (_, i) => run.slice(i, i + 2)));
  return [...latin, ...cjk];
}

/** The FAQ entries sharing the most words with the query, best first. */
export function faqLookup(faq: readonly FaqEntry[], query: string, maxResults: number): FaqEntry[] {
  const wanted = new Set(words(query));
  return faq
    .map((entry, index) => ({ entry, index, score: words(`${entry.q} ${entry.a}`).filter((w) => wanted.has(w)).length }))
    .filter((scored) => scored.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, maxResults)
    .map((scored) => scored.entry);
}
