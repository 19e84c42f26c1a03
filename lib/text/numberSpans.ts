// Personal numbers in normalised text, however they are grouped: a run is groups of digits
// joined by short separator runs ("+86 138 1234 5678", "110105 19900101 007X",
// "6222.0212.3456.7890.123"); any consecutive groups of a run whose digits together form an
// ID, a card or a mobile number are one candidate. A run can hold several numbers ("ID a / b",
// two phones side by side), so the candidates chosen are those that hide the most digits.
// Linear: a candidate spans at most LONGEST_NUMBER digits, so each group starts a bounded
// number of candidates, and a scan never steps back.
import { isAsciiDigit, separatorRunBeforeDigit } from "./digitSeparators";
import { LONGEST_NUMBER, digitString } from "./piiChecks";
import type { Span } from "./spans";

interface Group {
  start: number;
  /** End of the digits; an X right after them is at `end`. */
  end: number;
  digits: string;
  /** Followed by an X that could be an ID's check character. */
  x: boolean;
}

function isAsciiAlnum(char: string | undefined): boolean {
  return char !== undefined && /^[0-9A-Za-z]$/.test(char);
}

/** The groups of the run that starts at `from` (a digit), and where the run ends. */
function readRun(text: string, from: number): { groups: Group[]; end: number } {
  const groups: Group[] = [];
  let at = from;
  for (;;) {
    let end = at;
    while (end < text.length && isAsciiDigit(text.charCodeAt(end))) end++;
    const digits = text.slice(at, end);
    // An ID's check character X ends its run, unless a word goes on ("007Xabc").
    const after = text[end];
    if ((after === "X" || after === "x") && !isAsciiAlnum(text[end + 1])) {
      groups.push({ start: at, end, digits, x: true });
      return { groups, end: end + 1 };
    }
    groups.push({ start: at, end, digits, x: false });
    const next = separatorRunBeforeDigit(text, end);
    if (next < 0) return { groups, end };
    at = next;
  }
}

/** Best cover of one run: dynamic programming from the right, most digits hidden wins. */
function coverRun(text: string, groups: readonly Group[], out: Span[]): void {
  const count = groups.length;
  // All digits of the run in one string; group k's digits start at offset[k].
  const kindOf = digitString(groups.map((g) => g.digits).join(""));
  const offset = new Int32Array(count + 1);
  for (let k = 0; k < count; k++) offset[k + 1] = (offset[k] ?? 0) + (groups[k] as Group).digits.length;
  const best = new Int32Array(count + 1);
  const choice = new Array<{ last: number; label: string; end: number } | undefined>(count).fill(undefined);
  for (let i = count - 1; i >= 0; i--) {
    best[i] = best[i + 1] ?? 0;
    const from = offset[i] ?? 0;
    for (let j = i; j < count; j++) {
      const group = groups[j] as Group;
      const length = (offset[j + 1] ?? 0) - from;
      if (length > LONGEST_NUMBER) break;
      const withX = group.x ? kindOf(from, length, true) : undefined;
      const kind = withX ?? (length >= 11 ? kindOf(from, length) : undefined);
      const covered = length + (best[j + 1] ?? 0);
      if (kind && covered > (best[i] ?? 0)) {
        best[i] = covered;
        choice[i] = { last: j, label: kind, end: withX ? group.end + 1 : group.end };
      }
    }
  }
  for (let i = 0; i < count; ) {
    const picked = choice[i];
    if (!picked) {
      i++;
      continue;
    }
    const first = groups[i] as Group;
    // "+86 138 ...": the plus belongs to the number it introduces.
    const start = picked.label === "phone" && text[first.start - 1] === "+" ? first.start - 1 : first.start;
    out.push({ start, end: picked.end, label: picked.label });
    i = picked.last + 1;
  }
}

export function numberSpans(text: string): Span[] {
  const spans: Span[] = [];
  let at = 0;
  while (at < text.length) {
    if (!isAsciiDigit(text.charCodeAt(at))) {
      at++;
      continue;
    }
    const run = readRun(text, at);
    coverRun(text, run.groups, spans);
    at = run.end;
  }
  return spans;
}
