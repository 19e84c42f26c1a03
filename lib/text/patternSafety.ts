// Whether a regular expression from config can run in time linear in its input. V8's regex
// engine backtracks, so two things make it slow: an unbounded repeat (`\w+@` retries its run
// from every start position: quadratic) and repeats inside repeats or alternations inside
// repeats (`(a+)+`, `(a|a)*`: exponential). A pattern passes when every repeat is bounded,
// no repeated group holds a repeat of variable count or an alternation, there is no
// backreference, its longest match is at most MAX_MATCH_LENGTH characters and the ways to try
// one position (variable repeats and alternatives multiplied) at most MAX_BRANCHING: then each
// start position costs a bounded amount of work.

export const MAX_MATCH_LENGTH = 512;
export const MAX_BRANCHING = 1024;

interface Frame {
  /** Longest match of the finished alternatives of this group. */
  longest: number;
  /** Longest match of the alternative being read. */
  current: number;
  /** Length of the last atom of `current`, what a quantifier multiplies. */
  lastAtom: number;
  /** The last atom was a group with a variable repeat or an alternation inside. */
  lastAtomRisky: boolean;
  risky: boolean;
  alternatives: number;
}

const newFrame = (): Frame => ({ longest: 0, current: 0, lastAtom: 0, lastAtomRisky: false, risky: false, alternatives: 1 });

/** Index just past the character class that opens at `at`. */
function skipClass(pattern: string, at: number): number {
  let i = at + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** A quantifier at `at`: its bounds and length, or undefined if there is none. */
function quantifierAt(pattern: string, at: number): { min: number; max: number; length: number } | undefined {
  const c = pattern[at];
  let q: { min: number; max: number; length: number } | undefined;
  if (c === "*") q = { min: 0, max: Infinity, length: 1 };
  else if (c === "+") q = { min: 1, max: Infinity, length: 1 };
  else if (c === "?") q = { min: 0, max: 1, length: 1 };
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at, at + 24));
    if (!m) return undefined;
    const min = Number(m[1]);
    q = { min, max: m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]), length: m[0].length };
  }
  if (q && pattern[at + q.length] === "?") q.length++;
  return q;
}

function addAtom(frame: Frame, length: number, risky: boolean): void {
  frame.current += length;
  frame.lastAtom = length;
  frame.lastAtomRisky = risky;
}

/** Why `pattern` is not safe to run on untrusted text, or undefined when it is. */
export function unsafePatternReason(pattern: string): string | undefined {
  const stack: Frame[] = [newFrame()];
  let branching = 1;
  let i = 0;
  while (i < pattern.length) {
    const frame = stack[stack.length - 1] as Frame;
    const c = pattern[i] as string;
    if (c === "\\") {
      if (/^[1-9]$/.test(pattern[i + 1] ?? "") || pattern[i + 1] === "k") return "a backreference (\\1, \\k<name>) can take exponential time";
      addAtom(frame, 1, false);
      i += 2;
    } else if (c === "[") {
      addAtom(frame, 1, false);
      i = skipClass(pattern, i);
    } else if (c === "(") {
      stack.push(newFrame());
      const named = /^\(\?(?:<(?![=!])[^>]*>|<=|<!|[:=!])/.exec(pattern.slice(i, i + 40));
      i += named ? named[0].length : 1;
    } else if (c === ")") {
      if (stack.length < 2) return "an unbalanced parenthesis";
      const group = stack.pop() as Frame;
      const parent = stack[stack.length - 1] as Frame;
      parent.risky ||= group.risky;
      branching *= group.alternatives;
      addAtom(parent, Math.max(group.longest, group.current), group.risky);
      i++;
    } else if (c === "|") {
      frame.longest = Math.max(frame.longest, frame.current);
      frame.current = 0;
      frame.lastAtom = 0;
      frame.risky = true;
      frame.alternatives++;
      i++;
    } else if ("*+?{".includes(c) && quantifierAt(pattern, i)) {
      const q = quantifierAt(pattern, i) as { min: number; max: number; length: number };
      if (q.max === Infinity) return `an unbounded repeat (${pattern.slice(i, i + q.length)}) retries its run from every position: use a bounded one such as {1,64}`;
      if (frame.lastAtomRisky && q.max > 1) return "a repeated group holds a repeat or an alternation: its matches can be tried in exponentially many ways";
      frame.current += frame.lastAtom * (q.max - 1);
      frame.lastAtom *= q.max;
      if (q.min !== q.max) {
        frame.risky = true;
        branching *= q.max - q.min + 1;
      }
      i += q.length;
    } else {
      addAtom(frame, c === "^" || c === "$" ? 0 : 1, false);
      i++;
    }
  }
  if (stack.length !== 1) return "an unbalanced parenthesis";
  const top = stack[0] as Frame;
  branching *= top.alternatives;
  if (branching > MAX_BRANCHING) return `it can try each position in about ${branching} ways (at most ${MAX_BRANCHING})`;
  const longest = Math.max(top.longest, top.current);
  if (longest > MAX_MATCH_LENGTH) return `its longest match (${longest} characters) is over ${MAX_MATCH_LENGTH}`;
  return undefined;
}
