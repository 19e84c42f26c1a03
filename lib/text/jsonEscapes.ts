// JSON string escapes (RFC 8259 section 7: \" \\ \/ \b \f \n \r \t and \uXXXX) decoded, for
// the output checks: an `extract` answer is JSON, and its client reads the values decoded, so
// "\u8eab\u4efd\u8bc1" must be checked as 身份证. Tolerant: a backslash that starts no valid
// escape stays as it is (the text may be plain prose, or cut mid-escape). Each \uXXXX gives one
// UTF-16 unit, so a surrogate pair written as two escapes decodes to the pair.

const SIMPLE: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
// Stryker disable next-line Regex: it tests a slice of 4 units at most, where either anchor alone holds the same.
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** One escape decoded: where its unit sits in the decoded text, and how many raw units it took beyond that one. */
export interface DecodedEscape {
  at: number;
  extra: number;
}

export interface EscapeDecoder {
  /**
   * Feeds raw text in; returns the decoded text of everything up to an escape that may still
   * be incomplete (held for the next push), with the escapes in it (`at` relative to `text`).
   */
  push(raw: string): { text: string; raw: string; escapes: DecodedEscape[] };
  /** The end of the text: a held, incomplete escape comes out as written. */
  flush(): { text: string; raw: string; escapes: DecodedEscape[] };
}

/** The length of the escape at `i` (text[i] is a backslash), 0 when none is complete there, -1 when it may complete with more text. */
function escapeLength(text: string, i: number): number {
  const kind = text[i + 1];
  if (kind === undefined) return -1;
  if (kind in SIMPLE) return 2;
  if (kind !== "u") return 0;
  const hex = text.slice(i + 2, i + 6);
  if (HEX4.test(hex)) return 6;
  // Still hex so far and cut by the end of the text: wait for the rest.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: 4 hex digits matched HEX4 above, so the length test only restates the regex's.
  return hex.length < 4 && /^[0-9a-fA-F]*$/.test(hex) ? -1 : 0;
}

/** Decodes `text`; stops before an escape cut by the end when `holdIncomplete` (returned as `rest`). */
function decodeFrom(text: string, holdIncomplete: boolean): { text: string; raw: string; escapes: DecodedEscape[]; rest: string } {
  let out = "";
  const escapes: DecodedEscape[] = [];
  let from = 0;
  for (let i = text.indexOf("\\"); i >= 0; i = text.indexOf("\\", i)) {
    const length = escapeLength(text, i);
    if (length < 0 && holdIncomplete) {
      out += text.slice(from, i);
      return { text: out, raw: text.slice(0, i), escapes, rest: text.slice(i) };
    }
    if (length <= 0) {
      i += 1;
      continue;
    }
    out += text.slice(from, i);
    escapes.push({ at: out.length, extra: length - 1 });
    out += length === 6 ? String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16)) : (SIMPLE[text[i + 1] as string] as string);
    i += length;
    from = i;
  }
  out += text.slice(from);
  return { text: out, raw: text, escapes, rest: "" };
}

/** `text` with its JSON string escapes decoded (unchanged when it has no backslash). */
export function decodeJsonEscapes(text: string): string {
  // Stryker disable next-line StringLiteral: a fast path; decodeFrom returns text without a backslash as it is.
  return text.includes("\\") ? decodeFrom(text, false).text : text;
}

export function createEscapeDecoder(): EscapeDecoder {
  let held = "";
  return {
    push(raw) {
      const text = held + raw;
      // Most deltas have no backslash: nothing to decode, nothing to hold.
      // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: a fast path; decodeFrom gives the same for text without a backslash.
      if (!text.includes("\\")) {
        held = "";
        return { text, raw: text, escapes: [] };
      }
      const decoded = decodeFrom(text, true);
      held = decoded.rest;
      return { text: decoded.text, raw: decoded.raw, escapes: decoded.escapes };
    },
    flush() {
      const text = held;
      held = "";
      return { text, raw: text, escapes: [] };
    },
  };
}
