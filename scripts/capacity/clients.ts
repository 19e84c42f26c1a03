// N concurrent clients, as a Mini Program's users are: each sends `rounds` requests one after
// another, their starts spread over one answer's duration so that N are in flight at any time
// (a steady N, not N parsed in the same millisecond). Each request records when its first event
// came (a streamed `delta`, or the whole answer) and the gaps between its streamed events.
import { Agent, request } from "node:http";

export interface RequestSample {
  ok: boolean;
  /** Send to the first delta (streamed) or to the whole body (whole), ms. */
  firstMs: number;
  /** Between consecutive streamed events of one model stream, ms. */
  gaps: number[];
  events: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  /** The i-th request's body: a different input each time, so no cache answers it. */
  body(i: number): string;
  /** Extra headers of the i-th request (its user's token). */
  headersOf?: (i: number) => Record<string, string>;
  stream: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** Reads the SSE body event by event; an `error` event or a non-200 status is a failure. */
export function sendOne(target: Target, i: number): Promise<RequestSample> {
  const body = target.body(i);
  return new Promise((resolve) => {
    const started = performance.now();
    const sample: RequestSample = { ok: false, firstMs: Number.NaN, gaps: [], events: 0 };
    let last = Number.NaN;
    let lastName = "";
    let buffer = "";
    let failed = false;
    const req = request(target.url, { method: "POST", agent, headers: { ...target.headers, ...target.headersOf?.(i), "content-length": Buffer.byteLength(body) } }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (piece: string) => {
        if (!target.stream) return;
        const now = performance.now();
        buffer += piece;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const name = /^event: (\w+)/.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (name === "error") failed = true;
          // `delta`, or `draft` then `final` for a profile that refines: the gap from the last
          // draft to the first final is the second model's first token, not a relay's delay.
          if (name !== "delta" && name !== "draft" && name !== "final") continue;
          if (sample.events === 0) sample.firstMs = now - started;
          else if (name === lastName) sample.gaps.push(now - last);
          sample.events += 1;
          last = now;
          lastName = name;
        }
      });
      res.on("end", () => {
        if (!target.stream) sample.firstMs = performance.now() - started;
        sample.ok = res.statusCode === 200 && !failed && (!target.stream || sample.events > 0);
        resolve(sample);
      });
      res.on("error", () => resolve(sample));
    });
    req.on("error", () => resolve(sample));
    req.end(body);
  });
}

export async function runClients(target: Target, options: { clients: number; rounds: number; spreadMs: number; firstIndex: number }): Promise<RequestSample[]> {
  const samples: RequestSample[] = [];
  let next = options.firstIndex;
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      await new Promise((resolve) => setTimeout(resolve, (c * options.spreadMs) / options.clients));
      for (let r = 0; r < options.rounds; r++) samples.push(await sendOne(target, next++));
    }),
  );
  return samples;
}
