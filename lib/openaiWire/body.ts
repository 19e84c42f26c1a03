// Reads a response body whole, under a byte cap and the exchange's deadlines.
import type { IncomingMessage } from "node:http";
import type { Exchange } from "./exchange";
import { WireError } from "./wireError";

/** The reply as text, or the exchange's failure (deadline, abort, reset, too large). */
export function readBody(res: IncomingMessage, exchange: Exchange, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (err: WireError | undefined) => {
      if (settled) return;
      settled = true;
      exchange.finish();
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, bytes).toString("utf8"));
    };
    res.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        exchange.fail(new WireError("bad_response", `the upstream's reply is over ${maxBytes} bytes`, { status: res.statusCode }));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => settle(undefined));
    res.on("error", (err) => settle(exchange.errorOf(err)));
    // A socket that closes before the body ended, without an error event of its own.
    res.on("close", () => settle(res.complete ? undefined : exchange.errorOf(new WireError("connection", "the connection closed before the reply ended"))));
  });
}
