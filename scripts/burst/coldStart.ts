// The cold start the simulation charges, measured from the real built bundle: a fresh process's
// spawn-to-first-answer, minus what the same request costs that instance once warm (so the
// figure is the start-up alone, whatever the model's latency). The upstream answers at once.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startBundle, stop } from "../bench/processes";
import { startLocalUpstream } from "../local-upstream/server";
import { askRequests, type IntentFunction, instanceEnv } from "./askRequests";

export const DEFAULT_DIST = join(ROOT, "dist");

export function bundleDir(fn: string, dist = DEFAULT_DIST): string {
  return join(dist, fn);
}

export function assertBuilt(fn: string, dist = DEFAULT_DIST): void {
  if (!existsSync(join(bundleDir(fn, dist), "index.mjs"))) throw new Error(`${join(dist, fn)}/index.mjs is missing: run \`npm run build\` first`);
}

export interface ColdStartSample {
  spawnToListenMs: number;
  firstAnswerMs: number;
  warmAnswerMs: number;
  /** spawn to first answer, minus the warm answer: what a cold start adds to a request. */
  coldStartMs: number;
}

export async function measureColdStarts(fn: IntentFunction, runs: number, dist = DEFAULT_DIST): Promise<ColdStartSample[]> {
  assertBuilt(fn, dist);
  const upstream = await startLocalUpstream();
  const ask = await askRequests(fn);
  const samples: ColdStartSample[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const instance = await startBundle(bundleDir(fn, dist), instanceEnv(upstream.url));
      try {
        const send = async (n: number) => {
          const res = await fetch(`${instance.url}/v1/mini/ask`, { method: "POST", headers: ask.headers, body: ask.body(n) });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`dist/${fn}: the first request answered ${res.status}`);
        };
        const listening = performance.now();
        await send(i * 2);
        const firstAnswerMs = performance.now() - started;
        const t = performance.now();
        await send(i * 2 + 1);
        const warmAnswerMs = performance.now() - t;
        samples.push({ spawnToListenMs: listening - started, firstAnswerMs, warmAnswerMs, coldStartMs: Math.max(0, firstAnswerMs - warmAnswerMs) });
      } finally {
        stop(instance.child);
      }
    }
  } finally {
    await upstream.close();
  }
  return samples;
}
