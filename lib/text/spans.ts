/** A stretch [start, end) of a text that the redaction rules hide behind `[label]`. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/**
 * Overlapping spans as one: sorted by start, the longer first, each overlap joined under the
 * label of the span that starts it (an e-mail whose local part is a phone number stays an e-mail).
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}
