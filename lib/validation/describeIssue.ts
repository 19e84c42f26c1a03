// zod/mini ships no locale (that keeps it small), so its default messages say only
// "Invalid input". These turn an issue into "path: what was expected, what was found".
import type * as z from "zod/mini";

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/**
 * What an error message may quote of the caller's own text (a key, a value): enough to find it,
 * never the text itself in full. A message is echoed to the caller and logged, and a 20 KB value
 * quoted whole would land in both.
 */
const MAX_QUOTED_CHARS = 40;

function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length <= MAX_QUOTED_CHARS ? text : `${chars.slice(0, MAX_QUOTED_CHARS).join("")}…`;
}

function quoted(value: unknown): string {
  return clip(JSON.stringify(value) ?? String(value));
}

export function formatPath(path: readonly PathKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? clip(String(key)) : `.${clip(String(key))}`;
  }
  return out;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function bound(origin: unknown, size: unknown, word: "least" | "most"): string {
  if (origin === "string") return `a string of at ${word} ${String(size)} characters`;
  if (origin === "array") return `at ${word} ${String(size)} items`;
  if (origin === "object" || origin === "record") return `at ${word} ${String(size)} entries`;
  return `a number at ${word} ${String(size)}`;
}

/** Says what was expected at the issue's path, and what was found there. */
export function describeIssue(issue: Issue, input: unknown): string {
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case "invalid_type":
      return found === undefined ? `required ${issue.expected}, missing` : `expected ${issue.expected}, got ${typeOf(found)}`;
    case "too_small":
      return `expected ${bound(issue.origin, issue.minimum, "least")}`;
    case "too_big":
      return `expected ${bound(issue.origin, issue.maximum, "most")}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.slice(0, 5).map((k) => quoted(k)).join(", ")}${issue.keys.length > 5 ? ", …" : ""}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${quoted(found)}`;
    case "invalid_format":
      return issue.message && issue.message !== "Invalid input" ? issue.message : `expected ${issue.format} format`;
    case "invalid_key":
      return `invalid key: ${issue.issues.map((inner) => describeIssue(inner, undefined)).join("; ")}`;
    default:
      return issue.message && issue.message !== "Invalid input" ? issue.message : "invalid value";
  }
}

/** At most this many issues go back to a client: enough to mark a form, never a dump. */
export const MAX_ISSUE_DETAILS = 20;

/** Every issue (capped) as {path, message}: data a Mini Program form can use. */
export function issueDetails(issues: readonly Issue[], input: unknown, pathPrefix: readonly PathKey[] = []): { path: string; message: string }[] {
  return issues.slice(0, MAX_ISSUE_DETAILS).map((issue) => {
    const at = { ...issue, path: [...pathPrefix, ...issue.path] } as Issue;
    return { path: formatPath(at.path) || "(root)", message: describeIssue(at, input) };
  });
}

/** The issue's full key path (record keys included) joined to its description. */
export function describeIssueAt(issue: Issue, input: unknown): string {
  const path = formatPath(issue.path);
  return `${path === "" ? "(root)" : path}: ${describeIssue(issue, input)}`;
}
