// A provider call's deadlines. A whole call's own (request to last byte) is the wire's
// (lib/openaiWire: an upstream that sends headers and then stalls once held a request for
// minutes); ours time the wait for a stream's first text. Both count the provider's time, not
// our event loop's (lib/async/dependencyDeadline.ts): a chunk already waiting behind a busy
// loop is read before any of them fires.
export class ModelTimeout extends Error {}

/** Replies longer than this are refused before any shaping, redaction or guard reads them. */
export function maxReplyChars(maxTokens: number): number {
  return Math.max(16_384, maxTokens * 16);
}
