// Load through autocannon (a well-kept generator, not a loop of ours). autocannon's own latency
// histogram counts whole milliseconds; the per-response durations it reports are floats, so
// percentiles are computed from those.
import autocannon from "autocannon";
import { percentile, round } from "./stats";

export interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  requests: number;
  statuses: Record<string, number>;
  errors: number;
}

export async function runLoad(options: {
  url: string;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  headers: Record<string, string>;
  /** The i-th request's body: a different input each time, so no cache answers it. */
  body: (i: number) => string;
  /** Extra headers of the i-th request (a different user's token). */
  headersOf?: (i: number) => Record<string, string>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let i = 0;
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // The callback form returns the event emitter (the promise form does not).
  const instance = autocannon(
    {
    url: options.url,
    method: "POST",
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 3 }),
    headers: options.headers,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const n = i++;
          return { ...req, body: options.body(n), ...(options.headersOf ? { headers: { ...options.headers, ...options.headersOf(n) } } : {}) };
        },
      },
    ],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await done;
  const seconds = result.duration || 1;
  return {
    rps: round(latencies.length / seconds, 0),
    p50: round(percentile(latencies, 50), 3),
    p90: round(percentile(latencies, 90), 3),
    p99: round(percentile(latencies, 99), 3),
    requests: latencies.length,
    statuses,
    errors: result.errors + result.timeouts,
  };
}
