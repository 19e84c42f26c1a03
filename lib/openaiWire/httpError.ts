// A non-2xx answer as a WireError. The body is read first (capped, under the exchange's
// deadlines) so the kept-alive socket can carry the next call, which is often the fallback;
// only the provider's own code is kept (providerError.ts): its text sometimes echoes the prompt.
import type { IncomingMessage } from "node:http";
import { readBody } from "./body";
import type { Exchange } from "./exchange";
import { providerErrorOfText } from "./providerError";
import { WireError, retryAfterMsOf } from "./wireError";

const MAX_ERROR_BODY_BYTES = 64 * 1024;

export async function httpError(res: IncomingMessage, status: number, exchange: Exchange): Promise<WireError> {
  const text = await readBody(res, exchange, MAX_ERROR_BODY_BYTES).catch(() => "");
  const retryAfterMs = retryAfterMsOf(res.headers);
  const { code, side } = providerErrorOfText(text);
  return new WireError("http", `the upstream answered ${status}`, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(code ? { providerCode: code } : {}),
    ...(side ? { providerSide: side } : {}),
  });
}
