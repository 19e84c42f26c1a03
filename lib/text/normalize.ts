// The text the redaction rules read: NFKC (full-width digits, ＋, ＠ and ideographic spaces
// become ASCII), default-ignorable code points removed (zero-width space and joiners, U+2060,
// U+FEFF, the soft hyphen, bidi controls, variation selectors), digits of any script as ASCII.
// Every unit of the result remembers where it came from, so a match found here can be
// blanked out of the original text, separators and full-width forms included.

export interface NormalizedText {
  /** The text to match against. */
  readonly text: string;
  /** The original range [start, end) behind normalized range [start, end). */
  toOriginal(start: number, end: number): [number, number];
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const NON_ASCII = /[^\x00-\x7f]/;
// A base character with its combining marks: NFKC may compose them, so they go in together.
// A run that NFKC leaves as it is (ASCII, CJK ideographs, common CJK punctuation and quotes)
// is copied whole; it leaves its last character to the marks that follow it ("1\u20e3" is
// one piece). Anything else goes one base character with its marks at a time.
const PIECE = /([\x00-\x7f\u3001\u3002\u300a-\u3011\u2018-\u201d\u3400-\u4dbf\u4e00-\u9fff]+(?!\p{M}))|\P{M}\p{M}*|\p{M}+/gyu;
const OTHER_DIGIT = /\p{Nd}/u;
const MARKS = /\p{M}/gu;

const cache = new Map<string, string>();

/** The value of a decimal digit of any script: Unicode keeps each script's 0..9 contiguous.
 * (The runs that touch each other, the mathematical digits, NFKC has already made ASCII.) */
/**
 * A decimal digit of any script, as its ASCII digit. Unicode lays each script's digits out as
 * runs of ten from zero, and some runs sit next to each other (U+116D0..U+116E3: two runs), so
 * the walk back counts the whole stretch of digits and takes the count modulo ten.
 */
function asciiDigit(char: string): string {
  let cp = char.codePointAt(0) ?? 0;
  let steps = 0;
  // Bounded twice: the walk ends at the first non-digit, and the longest stretch of adjacent
  // digit runs in Unicode is 50 (mathematical digits), so the cap is a guard that never binds.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the cap never binds (see above).
  while (steps < 64 && OTHER_DIGIT.test(String.fromCodePoint(cp - 1))) {
    cp--;
    steps++;
  }
  return String(steps % 10);
}

function normalizePiece(piece: string): string {
  const known = cache.get(piece);
  if (known !== undefined) return known;
  let out = piece.normalize("NFKC").replace(IGNORABLE, "");
  // Stryker disable next-line StringLiteral: the ASCII-digit test is a fast path (asciiDigit maps an ASCII digit to itself), and no other ASCII character is a digit.
  if (NON_ASCII.test(out)) out = Array.from(out, (c) => (c >= "0" && c <= "9") || !OTHER_DIGIT.test(c) ? c : asciiDigit(c)).join("");
  // A digit dressed in marks (a keycap 1\ufe0f\u20e3, a struck-through 1\u0336) is still a digit.
  if (out >= "0" && out.charAt(0) <= "9") out = out.replace(MARKS, "");
  // Pieces are mostly single characters; a bounded cache keeps a hostile stream of
  // distinct combining sequences from growing memory.
  // Stryker disable next-line all: which pieces are memoised changes memory only, never a result.
  if (piece.length <= 2 && cache.size < 20_000) cache.set(piece, out);
  return out;
}

const IDENTITY = (text: string): NormalizedText => ({ text, toOriginal: (start, end) => [start, end] });

export function normalizeForMatching(original: string): NormalizedText {
  if (!NON_ASCII.test(original)) return IDENTITY(original);
  const parts: string[] = [];
  // origin[i]: index in the original of the piece that produced normalized unit i.
  const origin: number[] = [];
  PIECE.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = PIECE.exec(original)) !== null) {
    const piece = match[0];
    const at = match.index;
    if (match[1] !== undefined) {
      parts.push(piece);
      for (let k = 0; k < piece.length; k++) origin.push(at + k);
      continue;
    }
    const out = normalizePiece(piece);
    parts.push(out);
    for (let k = 0; k < out.length; k++) origin.push(at);
  }
  const text = parts.join("");
  return {
    text,
    toOriginal(start, end) {
      const from = origin[start] ?? original.length;
      // The end is where the next piece begins: a piece that expanded into several units is
      // covered whole, and so are ignorable characters right behind the match.
      const last = origin[end - 1] ?? original.length;
      let next = end;
      while (next < origin.length && origin[next] === last) next++;
      return [from, next < origin.length ? (origin[next] ?? original.length) : original.length];
    },
  };
}
