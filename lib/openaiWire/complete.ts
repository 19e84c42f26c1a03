// A whole (unstreamed) chat completion: one POST, the body read under a size cap and the
// deadlines, parsed once with zod.
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import * as z from "zod/mini";
import { readBody } from "./body";
import type { WireTarget } from "./endpoint";
import { Exchange } from "./exchange";
import { type WireCompletion, wireCompletionSchema } from "./schemas";
import { httpError } from "./httpError";
import { WireError } from "./wireError";

export interface CompleteOptions {
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** The whole call, body included (default 60 s). */
  timeoutMs?: number;
  /** Until the response headers (default: `timeoutMs`). */
  firstByteTimeoutMs?: number;
  /** A larger reply fails as bad_response (default 2 MiB): a runaway reply must not wedge the process. */
  maxBodyBytes?: number;
}

export const DEFAULT_COMPLETE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function complete(target: WireTarget, body: ChatCompletionCreateParamsNonStreaming, options: CompleteOptions = {}): Promise<WireCompletion> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMPLETE_TIMEOUT_MS;
  const exchange = new Exchange({ signal: options.signal, headers: options.headers, accept: "application/json", timeoutMs, firstByteTimeoutMs: options.firstByteTimeoutMs ?? timeoutMs });
  const res = await exchange.open(target, JSON.stringify(body));
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    throw await httpError(res, status, exchange);
  }
  const text = await readBody(res, exchange, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WireError("bad_response", "the upstream's reply is not JSON", { status, cause: err });
  }
  const parsed = z.safeParse(wireCompletionSchema, json);
  if (!parsed.success) throw new WireError("bad_response", "the upstream's reply is not a chat completion", { status });
  return parsed.data;
}
