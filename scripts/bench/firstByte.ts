// Time to first byte of a streamed answer: until the first content chunk arrives, measured one
// request after another (a latency, not a throughput), for the upstream alone and through us.
import { request } from "node:http";
import { percentile, round } from "./stats";

function firstChunk(url: string, headers: Record<string, string>, body: string, marker: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let seen = "";
      let done = false;
      res.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (!done && seen.includes(marker)) {
          done = true;
          resolve(performance.now() - started);
        }
      });
      res.on("end", () => {
        if (!done) reject(new Error(`no ${marker} in the stream (status ${res.statusCode})`));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function measureFirstByte(options: { url: string; headers: Record<string, string>; body: (i: number) => string; marker: string; count: number }) {
  const samples: number[] = [];
  for (let i = 0; i < options.count; i++) samples.push(await firstChunk(options.url, options.headers, options.body(i), options.marker));
  return { p50: round(percentile(samples, 50), 3), p90: round(percentile(samples, 90), 3), p99: round(percentile(samples, 99), 3), count: samples.length };
}
