// Normalised text with the separators inside digit runs taken out ("SO2026-1124-0001" reads
// as "SO202611240001"), for patterns from config, which are written for the plain form.
// Each unit remembers its index in the text it came from.
import { isAsciiDigit, separatorRunBeforeDigit } from "./digitSeparators";

export interface JoinedDigits {
  text: string;
  /** Index in the source text of each unit of `text`, and the source length at the end. */
  origin: Int32Array;
}

export function joinDigitRuns(source: string): JoinedDigits | undefined {
  const parts: string[] = [];
  const origin: number[] = [];
  let copiedTo = 0;
  for (let at = 1; at < source.length; at++) {
    if (!isAsciiDigit(source.charCodeAt(at - 1))) continue;
    const next = separatorRunBeforeDigit(source, at);
    if (next < 0) continue;
    parts.push(source.slice(copiedTo, at));
    for (let k = copiedTo; k < at; k++) origin.push(k);
    copiedTo = next;
    at = next;
  }
  if (copiedTo === 0) return undefined;
  parts.push(source.slice(copiedTo));
  for (let k = copiedTo; k < source.length; k++) origin.push(k);
  origin.push(source.length);
  return { text: parts.join(""), origin: Int32Array.from(origin) };
}
