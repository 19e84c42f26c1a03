// One depth and size limit for all JSON from outside: request bodies, provider replies, tool
// results. Checked while reading, in one linear pass before JSON.parse, so a body nested 10,000
// levels deep is a 400 with a code, not a stack overflow somewhere after it was parsed.

/** Deeper than any input an intent takes; far below what recursion in zod or a walk survives. */
export const MAX_JSON_DEPTH = 32;

export class JsonLimitError extends Error {
  constructor(
    readonly limit: "depth" | "size",
    message: string,
  ) {
    super(message);
    this.name = "JsonLimitError";
  }
}

/** The deepest nesting of arrays and objects in `text`, counting only brackets outside strings; stops past `max`. */
export function jsonDepth(text: string, max = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

/** JSON.parse within limits: JsonLimitError for too big or too deep, SyntaxError for not JSON. */
export function parseJsonWithin(text: string, limits: { maxDepth?: number; maxChars?: number } = {}): unknown {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (limits.maxChars !== undefined && text.length > limits.maxChars) throw new JsonLimitError("size", `over ${limits.maxChars} characters`);
  if (jsonDepth(text, maxDepth) > maxDepth) throw new JsonLimitError("depth", `nested deeper than ${maxDepth} levels`);
  return JSON.parse(text);
}
