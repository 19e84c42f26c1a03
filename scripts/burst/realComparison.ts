// The same model with real processes, at a scale this machine holds: the busiest minutes of the
// replay, thinned so its peak fits `maxProcesses`, run through the router against the built
// bundle and through the simulation, side by side. It checks the model; it does not replace it.
import type { IntentFunction } from "./askRequests";
import { concurrencyPerSlot } from "./concurrency";
import type { CapacitySetting, InstanceModel, ReplayRequest } from "./instanceModel";
import { seededRandom } from "./random";
import { realReplay } from "./realReplay";
import { provisionedTargets, simulate, type SimulationResult } from "./simulate";

export interface RealWindow {
  startMs: number;
  endMs: number;
  keep: number;
  requests: ReplayRequest[];
}

/** From one minute before the busiest minute, `minutes` long, thinned to fit. */
export function realWindow(requests: readonly ReplayRequest[], minutes: number, maxProcesses: number, seed: number): RealWindow {
  const perMinute = concurrencyPerSlot(requests.map((r) => ({ at: r.at, ms: r.serviceMs })), 60_000);
  const busiest = perMinute.reduce((a, b) => (b.peakConcurrency > a.peakConcurrency ? b : a), perMinute[0]!);
  const startMs = busiest.slotStart - 60_000;
  const endMs = startMs + minutes * 60_000;
  // Keep room under the cap for the spread of a smaller sample.
  const keep = Math.min(1, (0.75 * maxProcesses) / Math.max(1, busiest.peakConcurrency));
  const random = seededRandom(seed);
  return { startMs, endMs, keep, requests: requests.filter((r) => r.at >= startMs && r.at < endMs && random() < keep) };
}

function scaled(setting: CapacitySetting, window: RealWindow, model: InstanceModel): { provisioned: number; warm: number } {
  const target = provisionedTargets(setting, window.startMs, window.endMs, model.utcOffsetMinutes)[0]?.count ?? 0;
  return { provisioned: Math.ceil(target * window.keep), warm: Math.ceil(((setting.warmup?.count ?? 0) / model.perInstanceConcurrency) * window.keep) };
}

export async function compareWithReal(requests: readonly ReplayRequest[], settings: CapacitySetting[], model: InstanceModel, options: { fn: IntentFunction; minutes: number; maxProcesses: number; speed: number; seed: number; dist?: string }): Promise<{ window: RealWindow; runs: { setting: string; real: SimulationResult; simulated: SimulationResult }[] }> {
  const window = realWindow(requests, options.minutes, options.maxProcesses, options.seed);
  const runs = [];
  for (const setting of settings) {
    const counts = scaled(setting, window, model);
    // Only the counts in place at the window's start carry over: a ramp inside it is not replayed for real.
    const fixed: CapacitySetting = { name: setting.name, ...(counts.provisioned > 0 ? { provisioned: { mode: "static", count: counts.provisioned } } : {}) };
    const warmAt = [{ at: window.startMs, count: counts.warm }];
    const simulated = simulate(window.requests, fixed, { ...model, maxInstances: options.maxProcesses }, { seed: options.seed, startMs: window.startMs, endMs: window.endMs, warmAt });
    const real = await realReplay(window.requests, { fn: options.fn, model, maxProcesses: options.maxProcesses, provisioned: counts.provisioned, warm: counts.warm, speed: options.speed, startMs: window.startMs, endMs: window.endMs, name: setting.name, ...(options.dist ? { dist: options.dist } : {}) });
    runs.push({ setting: setting.name, real, simulated });
  }
  return { window, runs };
}
