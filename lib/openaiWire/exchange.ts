// One POST to the chat-completions endpoint, with our deadlines around it. It resolves when the
// response's headers arrive; the caller then reads the body and calls `finish()`. Deadlines:
//  - first byte: the headers must arrive within `firstByteTimeoutMs`;
//  - idle (streams): no gap between body chunks longer than `idleTimeoutMs`;
//  - whole: everything, body included, within `timeoutMs`. The openai SDK's `timeout` stops at
//    the headers, so an upstream that sent headers and then stalled held a request for minutes.
// A deadline or the caller's signal destroys the request; whichever fired first is the error the
// caller sees, whatever error Node then reports on the socket. The deadlines count the
// provider's time, not our loop's (lib/async/dependencyDeadline.ts): headers or a chunk already
// waiting behind a busy loop are read before a deadline fires.
import { type ClientRequest, type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type DependencyDeadline, armDependencyDeadline } from "../async/dependencyDeadline";
import { type WireTarget, agentFor, chatCompletionsEndpoint } from "./endpoint";
import { WireError, connectionError } from "./wireError";

export interface ExchangeOptions {
  signal?: AbortSignal | undefined;
  /** Sent after ours, so a provider that wants `api-key` instead of a bearer token can have it. */
  headers?: Readonly<Record<string, string>> | undefined;
  accept: string;
  firstByteTimeoutMs: number;
  idleTimeoutMs?: number | undefined;
  timeoutMs: number;
}

const isReset = (err: unknown) => {
  const code = typeof err === "object" && err !== null && "code" in err ? (err as { code: unknown }).code : undefined;
  return code === "ECONNRESET" || code === "EPIPE";
};

export class Exchange {
  private failure: WireError | undefined;
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private readonly deadlines: DependencyDeadline[] = [];
  private idle: DependencyDeadline | undefined;
  private readonly onAbort = () => this.fail(new WireError("aborted", "the caller aborted the request"));

  constructor(private readonly options: ExchangeOptions) {}

  /** Sends the request; resolves with the response once its headers are in. */
  open(target: WireTarget, payload: string): Promise<IncomingMessage> {
    const { signal } = this.options;
    if (signal?.aborted) return Promise.reject(new WireError("aborted", "the caller aborted the request"));
    signal?.addEventListener("abort", this.onAbort, { once: true });
    const { timeoutMs, firstByteTimeoutMs } = this.options;
    this.deadlines.push(armDependencyDeadline(timeoutMs, () => this.fail(new WireError("timeout", `no complete reply within ${timeoutMs} ms`, { timeout: "deadline" }))));
    const firstByte = firstByteTimeoutMs < timeoutMs ? armDependencyDeadline(firstByteTimeoutMs, () => this.fail(new WireError("timeout", `no response headers within ${firstByteTimeoutMs} ms`, { timeout: "first_byte" }))) : undefined;
    if (firstByte) this.deadlines.push(firstByte);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const settleError = (err: unknown) => {
        this.finish();
        reject(this.failure ?? connectionError(err));
      };
      const send = (retried: boolean) => {
        const req = this.send(target, payload);
        this.req = req;
        req.once("response", (res) => {
          firstByte?.cancel();
          this.res = res;
          // Until the caller reads the body, an error on it (a reset) must not go unheard: Node
          // would throw it. The reader still sees it, as the stream's stored error.
          res.on("error", () => undefined);
          if (this.options.idleTimeoutMs !== undefined) this.armIdle(this.options.idleTimeoutMs);
          resolve(res);
        });
        req.on("error", (err) => {
          if (this.res) return; // the body's reader reports it
          // A kept-alive socket the server closed while our request was on its way: Node's
          // documented remedy is one retry on a new socket (http: request.reusedSocket). Were the
          // request read after all, the caller's fallback would have called again anyway.
          if (!retried && req.reusedSocket && isReset(err) && !this.failure) send(true);
          else settleError(err);
        });
      };
      try {
        send(false);
      } catch (err) {
        // Node refuses some inputs synchronously (a header value with a newline in it).
        settleError(err);
      }
    });
  }

  private send(target: WireTarget, payload: string): ClientRequest {
    const endpoint = chatCompletionsEndpoint(target.baseUrl);
    const request = endpoint.https ? httpsRequest : httpRequest;
    const req = request({
      method: "POST",
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: endpoint.path,
      agent: agentFor(endpoint),
      headers: {
        "content-type": "application/json",
        accept: this.options.accept,
        authorization: `Bearer ${target.apiKey}`,
        "content-length": Buffer.byteLength(payload),
        ...this.options.headers,
      },
    });
    req.end(payload);
    return req;
  }

  private armIdle(ms: number): void {
    this.idle = armDependencyDeadline(ms, () => this.fail(new WireError("timeout", `no data from the upstream for ${ms} ms`, { timeout: "idle" })));
    this.deadlines.push(this.idle);
  }

  /** Body data arrived: the idle deadline starts again. */
  touch(): void {
    this.idle?.refresh();
  }

  /** Ends the exchange with `error` (the first failure wins) and drops its socket. */
  fail(error: WireError): void {
    if (this.failure) return;
    this.failure = error;
    this.finish();
    if (this.res) this.res.destroy(error);
    else this.req?.destroy(error);
  }

  /** The error to report for `err` seen while reading: the deadline or abort that caused it, if any. */
  errorOf(err: unknown): WireError {
    return this.failure ?? (err instanceof WireError ? err : connectionError(err));
  }

  /** Stops the deadlines and the signal listener; the socket stays with the agent if the body was read. */
  finish(): void {
    for (const deadline of this.deadlines) deadline.cancel();
    this.deadlines.length = 0;
    this.options.signal?.removeEventListener("abort", this.onAbort);
  }
}
