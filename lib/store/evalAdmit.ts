import { ADMIT_SCRIPT, ADMIT_SCRIPT_SHA, admitKeysAndArgs, admitResultOf } from "./admitScript";
import type { AdmitRequest, AdmitResult } from "./store";

export interface ScriptRunner {
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** EVALSHA first (the script is usually cached); EVAL once on NOSCRIPT, which also caches it. */
export async function evalAdmit(runner: ScriptRunner, request: AdmitRequest): Promise<AdmitResult> {
  const { keys, args } = admitKeysAndArgs(request);
  try {
    return admitResultOf(await runner.evalsha(ADMIT_SCRIPT_SHA, keys, args));
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes("NOSCRIPT")) throw err;
    return admitResultOf(await runner.eval(ADMIT_SCRIPT, keys, args));
  }
}
