// A small OpenAI-compatible chat-completions client over node:http(s) with keep-alive agents:
// the wire format is the openai package's (its types), the transport is ours, so a cold start
// does not load the SDK and Node's fetch, and a hot request does not pay for them.
export { type CompleteOptions, complete } from "./complete";
export type { WireTarget } from "./endpoint";
export type { WireChunk, WireCompletion } from "./schemas";
export { type StreamOptions, type WireStream, stream } from "./stream";
export { WireError, type WireErrorKind, type WireTimeout, retryAfterMsOf } from "./wireError";
