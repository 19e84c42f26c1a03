// A replay against real processes: the built bundle behind the router, the local upstream
// answering each model call after the request's own drawn latency. `speed` compresses the
// timeline (arrivals, model latency and idle time shrink by it; a process's cold start cannot):
// at speed 1 every figure is as measured.
import { startLocalUpstream } from "../local-upstream/server";
import { askRequests, type IntentFunction, instanceEnv } from "./askRequests";
import { bundleDir } from "./coldStart";
import type { InstanceModel, ReplayRequest } from "./instanceModel";
import { type RoutedOutcome, startRouter } from "./router";
import type { MinuteCounters, SimulationResult } from "./simulate";

export interface RealReplayOptions {
  fn: IntentFunction;
  model: InstanceModel;
  maxProcesses: number;
  provisioned: number;
  warm: number;
  speed: number;
  startMs: number;
  endMs: number;
  name: string;
  dist?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function realReplay(requests: readonly ReplayRequest[], options: RealReplayOptions): Promise<SimulationResult> {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const upstream = await startLocalUpstream();
  upstream.requests.push = () => 0; // recording every request would only grow
  const ask = await askRequests(options.fn);
  const outcomes: RoutedOutcome[] = [];
  const wallStart = { value: 0 };
  const toTrace = (wallAt: number) => options.startMs + (wallAt - wallStart.value) * options.speed;
  const router = await startRouter(
    {
      dir: bundleDir(options.fn, options.dist),
      env: instanceEnv(upstream.url),
      perInstanceConcurrency: options.model.perInstanceConcurrency,
      maxProcesses: options.maxProcesses,
      elasticStartsPerMinute: options.model.elasticStartsPerMinute * options.speed,
      idleReclaimMs: options.model.idleReclaimMs / options.speed,
      provisioned: options.provisioned,
      warm: options.warm,
    },
    (o) => outcomes.push({ ...o, at: toTrace(o.at) }),
  );
  const minutes: MinuteCounters[] = Array.from({ length: Math.max(1, Math.ceil((options.endMs - options.startMs) / 60_000)) }, () => ({ instances: 0, started: 0, provisioned: options.provisioned, concurrency: 0 }));
  wallStart.value = Date.now();
  const sampler = setInterval(() => {
    const m = minutes[Math.min(minutes.length - 1, Math.floor((toTrace(Date.now()) - options.startMs) / 60_000))]!;
    m.instances = Math.max(m.instances, router.takePeakProcesses());
  }, 100);
  try {
    const inFlight: Promise<void>[] = [];
    for (const [i, request] of sorted.entries()) {
      const due = wallStart.value + (request.at - options.startMs) / options.speed;
      if (due > Date.now()) await sleep(due - Date.now());
      // One drawn latency per model call; the multiset is what matters, not which call gets which.
      upstream.enqueue({ delayMs: request.serviceMs / options.speed });
      inFlight.push(
        fetch(`${router.url}/v1/mini/ask`, { method: "POST", headers: ask.headers, body: ask.body(i) }).then(
          (r) => r.arrayBuffer().then(() => undefined),
          () => undefined,
        ),
      );
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(sampler);
    await router.close();
    await upstream.close();
  }
  for (const o of outcomes) if (o.cold) minutes[Math.min(minutes.length - 1, Math.max(0, Math.floor((o.at - options.startMs) / 60_000)))]!.started += 1;
  // The real replay does not track instance busy time: left unknown, as the idle figures are.
  return { setting: options.name, startMs: options.startMs, outcomes, minutes, idleProvisionedInstanceSeconds: Number.NaN, idleProvisionedGbSeconds: Number.NaN, activeInstanceGbSeconds: Number.NaN };
}
