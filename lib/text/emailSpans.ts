// E-mail addresses in normalised text (a full-width ＠ is "@" by then), found from each "@"
// outwards instead of by a regex: a pattern like [\w.]+@ retries its run from every start
// and is quadratic (a 64 KiB run of one letter took seconds). Each scan stops at the next
// "@", so every character is read a bounded number of times.
// Local parts and domains may be non-ASCII (李雷@例子.中国, bücher.de), but a switch between
// Han characters and ASCII letters ends them: Chinese has no spaces, and "邮箱是li@qq.com请回复"
// should lose the address, not the sentence.
import type { Span } from "./spans";

const LOCAL_ASCII = /^[A-Za-z0-9._%+-]$/;
const LABEL_ASCII = /^[A-Za-z0-9-]$/;
const WORDLIKE = /^[\p{L}\p{N}\p{M}]$/u;
const HAN = /^\p{Script=Han}$/u;
const TOP_LEVEL = /^(?:[\p{L}\p{M}]{2,}|xn--[a-z0-9-]{2,})$/iu;

type Side = "han" | "ascii" | "other";

function sideOf(char: string): Side {
  if (/^[A-Za-z0-9]$/.test(char)) return "ascii";
  return HAN.test(char) ? "han" : "other";
}

/** The character ending just before `at` (a surrogate pair whole). */
function charBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  if (low >= 0xdc00 && low <= 0xdfff && at >= 2) {
    const high = text.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(at - 2, at);
  }
  return text.slice(at - 1, at);
}

function charAt(text: string, at: number): string {
  return String.fromCodePoint(text.codePointAt(at) ?? 0);
}

/** Sides must not switch between Han and ASCII inside one local part or label. */
function switchesSide(previous: Side | undefined, char: string): { side: Side | undefined; switched: boolean } {
  const side = sideOf(char);
  if (side === "other") return { side: previous, switched: false };
  return { side, switched: previous !== undefined && previous !== side };
}

function localStart(text: string, at: number): number {
  let start = at;
  let side: Side | undefined;
  while (start > 0) {
    const char = charBefore(text, start);
    if (!LOCAL_ASCII.test(char) && (char.charCodeAt(0) < 0x80 || !WORDLIKE.test(char))) break;
    const next = switchesSide(side, char);
    if (next.switched) break;
    side = next.side;
    start -= char.length;
  }
  return start;
}

/** Where the domain after `from` ends, if it is one: labels, a dot, and a top-level label. */
function domainEnd(text: string, from: number): number {
  const labels: { start: number; end: number }[] = [];
  let labelStart = from;
  let side: Side | undefined;
  let at = from;
  while (at < text.length) {
    const char = charAt(text, at);
    // "example。com": an ideographic full stop between ASCII labels is a dot (IDNA treats it so).
    const dot = char === "." || (char === "\u3002" && at > labelStart && /^[A-Za-z0-9]$/.test(text[at + 1] ?? ""));
    if (dot) {
      labels.push({ start: labelStart, end: at });
      labelStart = at + 1;
      side = undefined;
      at++;
      continue;
    }
    if (!LABEL_ASCII.test(char) && (char.charCodeAt(0) < 0x80 || !WORDLIKE.test(char))) break;
    const next = switchesSide(side, char);
    if (next.switched) break;
    side = next.side;
    at += char.length;
  }
  labels.push({ start: labelStart, end: at });
  // The longest prefix of labels that is a domain ("a@b.com.1" is a@b.com); no label empty.
  const firstEmpty = labels.findIndex((l) => l.end === l.start);
  for (let last = (firstEmpty < 0 ? labels.length : firstEmpty) - 1; last >= 1; last--) {
    const label = labels[last] as { start: number; end: number };
    if (TOP_LEVEL.test(text.slice(label.start, label.end))) return label.end;
  }
  return -1;
}

export function emailSpans(text: string): Span[] {
  const spans: Span[] = [];
  let at = text.indexOf("@");
  while (at >= 0) {
    const start = localStart(text, at);
    const end = start < at ? domainEnd(text, at + 1) : -1;
    if (end > at + 1) spans.push({ start, end, label: "email" });
    at = text.indexOf("@", Math.max(at + 1, end));
  }
  return spans;
}
