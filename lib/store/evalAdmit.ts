import { ADMIT_SCRIPT, ADMIT_SCRIPT_SHA, admitKeysAndArgs, admitResultOf } from "./admitScript";
import type { AdmitRequest, AdmitResult } from "./store";

export interface ScriptRunner {
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** EVALSHA first (the script is usually cached); EVAL once on NOSCRIPT, which also caches it. */
export async function evalAdmit(runner: ScriptRunner, request: AdmitRequest): Promise<AdmitResult> {
  const { keys, args } = admitKeysAndArgs(request);
  let result: AdmitResult;
  try {
    result = admitResultOf(await runner.evalsha(ADMIT_SCRIPT_SHA, keys, args));
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes("NOSCRIPT")) throw err;
    result = admitResultOf(await runner.eval(ADMIT_SCRIPT, keys, args));
  }
  // Only what was asked for: the script always answers the slot.
  if (result.outcome === "admitted" && !request.peek) delete result.peeked;
  return result;
}
