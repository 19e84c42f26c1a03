// The SCF API is asynchronous: a function is Creating or Updating, a version Publishing, a
// provisioned config InProgress, for a while after the call that started it. These poll.
import { DeployError } from "./deployError";
import type { ScfApi } from "./scfApi";
import type { GetFunctionRequest, GetProvisionedConcurrencyConfigRequest } from "./scfModels";

export interface Clock {
  sleep: (ms: number) => Promise<void>;
  /** Polls before giving up, and the pause between them. */
  attempts: number;
  intervalMs: number;
}

const PENDING = new Set(["Creating", "Updating", "Publishing"]);

/** Until the function ($LATEST, or a published version) is Active; a *Failed state stops the deploy. */
export async function waitActive(api: ScfApi, clock: Clock, fn: GetFunctionRequest & { FunctionName: string }): Promise<void> {
  const what = `${fn.FunctionName}${fn.Qualifier ? ` version ${fn.Qualifier}` : ""}`;
  for (let i = 0; i < clock.attempts; i++) {
    const state = await api.GetFunction(fn);
    if (state.Status === "Active") return;
    if (!state.Status || !PENDING.has(state.Status)) {
      const reasons = (state.StatusReasons ?? []).map((r) => r.ErrorMessage).filter(Boolean).join("; ");
      throw new DeployError(`${what}: ${state.Status ?? "no status"}${state.StatusDesc ? ` (${state.StatusDesc})` : ""}${reasons ? `: ${reasons}` : ""}`);
    }
    await clock.sleep(clock.intervalMs);
  }
  throw new DeployError(`${what}: not Active after ${Math.round((clock.attempts * clock.intervalMs) / 1000)} s`);
}

/** Until the version's provisioned instances are ready (Status Done); Failed stops the deploy. */
export async function waitProvisioned(api: ScfApi, clock: Clock, fn: GetProvisionedConcurrencyConfigRequest & { Qualifier: string }): Promise<void> {
  for (let i = 0; i < clock.attempts; i++) {
    const { Allocated } = await api.GetProvisionedConcurrencyConfig(fn);
    const info = (Allocated ?? []).find((a) => a.Qualifier === fn.Qualifier);
    if (info?.Status === "Done") return;
    if (info?.Status === "Failed") throw new DeployError(`${fn.FunctionName} version ${fn.Qualifier}: provisioned concurrency failed (${info.StatusReason ?? "no reason given"})`);
    await clock.sleep(clock.intervalMs);
  }
  throw new DeployError(`${fn.FunctionName} version ${fn.Qualifier}: provisioned instances not ready after ${Math.round((clock.attempts * clock.intervalMs) / 1000)} s`);
}
