// One streamed /ask over wx.request's chunked transfer. Events reach the page as chunks arrive;
// the attempt settles on `done` or `error`, or when the reply ends. A non-200 reply is a JSON
// error body (sent in chunks like any other); a 200 JSON body is a whole answer from a transport
// that cannot stream (an event function): the caller treats it like the fallback's reply.
import { type TextCallbacks, createAnswerEvents, isAnswerReply } from "./answerEvents";
import { MiniaskError, errorFromBody } from "./errors";
import type { AskResult } from "./results";
import { createSseParser } from "./sseParser";
import { type AbortScope, bodyOf, bytesOf, joinBytes, sendRequest } from "./transport";
import type { WxLike, WxRequestOptions } from "./wx";

export interface StreamAttempt<A> {
  statusCode: number;
  result?: AskResult<A>;
  /** A 200 JSON reply: the whole answer, no events. */
  whole?: AskResult<A>;
  error?: MiniaskError;
}

function asMiniaskError(err: unknown, traceId: string): MiniaskError {
  return err instanceof MiniaskError ? err : new MiniaskError("bad_reply", err instanceof Error ? err.message : String(err), traceId, 0, { cause: err });
}

export function streamOnce<A>(
  wxApi: WxLike,
  request: Omit<WxRequestOptions, "success" | "fail" | "enableChunked" | "responseType">,
  callbacks: TextCallbacks,
  traceId: string,
  scope: AbortScope,
): Promise<StreamAttempt<A>> {
  return new Promise((resolve) => {
    const events = createAnswerEvents<AskResult<A>>(callbacks, traceId);
    const parser = createSseParser((event) => events.accept(event));
    const chunks: Uint8Array[] = [];
    let settled = false;
    const settle = (attempt: StreamAttempt<A>) => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    const settleOnOutcome = () => {
      const outcome = events.outcome();
      if (outcome) settle({ statusCode: 200, result: outcome.result, error: outcome.error });
    };

    const sent = sendRequest(wxApi, Object.assign({}, request, { enableChunked: true, responseType: "arraybuffer" as const }), traceId, scope);
    const task = sent.task;
    const stop = (err: unknown) => {
      if (task && typeof task.abort === "function") task.abort();
      settle({ statusCode: 0, error: asMiniaskError(err, traceId) });
    };
    if (task && typeof task.onChunkReceived === "function") {
      task.onChunkReceived((res) => {
        if (settled) return;
        const bytes = bytesOf(res && res.data);
        chunks.push(bytes);
        try {
          parser.push(bytes);
        } catch (err) {
          return stop(err);
        }
        settleOnOutcome();
      });
    }

    sent.reply.then(
      (res) => {
        if (settled) return;
        // No chunks came (no onChunkReceived on this task): the body is all in `data`.
        const whole = chunks.length === 0;
        if (whole) chunks.push(bytesOf(res.data));
        const body = () => bodyOf(joinBytes(chunks));
        if (res.statusCode !== 200) return settle({ statusCode: res.statusCode, error: errorFromBody(body(), res.statusCode, traceId, res.header) });
        try {
          if (whole) parser.push(chunks[0] as Uint8Array);
          parser.end();
        } catch (err) {
          return stop(err);
        }
        settleOnOutcome();
        const json = body();
        if (isAnswerReply(json)) return settle({ statusCode: 200, whole: json as unknown as AskResult<A> });
        settle({ statusCode: 200, error: new MiniaskError("stream_incomplete", "the stream ended without an answer", traceId, 200) });
      },
      (err: unknown) => settle({ statusCode: 0, error: asMiniaskError(err, traceId) }),
    );
  });
}
