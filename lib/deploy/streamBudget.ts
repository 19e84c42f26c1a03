// A stream must end inside its function: one SSE connection is one invocation, and SCF cuts it
// at the function's `timeout` (doc 583/90617) with no `event: error` for the client. So every
// function that serves intents needs
//   timeout > model_stream_max_ms + model_budget_ms + RECORD_MARGIN_MS
// for each environment it may run in (profiles/env-policy.yaml, read through loadConfig):
// - model_stream_max_ms: the longest a stream may run (the stream cap);
// - model_budget_ms: a refinement, one more model call held to the model budget, that may
//   complete inside the same invocation after the stream's last delta;
// - RECORD_MARGIN_MS: what is done after the last delta and before the last byte: the output
//   content check of the tail (content_security.timeout_ms, 1.5 s) and the audit and quota
//   writes (a few store round trips, each held to store_timeout_ms, at most 300 ms), doubled
//   for a loaded instance.
import type { Config } from "../config/loadConfig";
import { INTENT_NAMES } from "../intents/names";

export const RECORD_MARGIN_MS = 5000;

/**
 * The longest a Mini Program can wait for one request: wx.request's timeout defaults to and is
 * capped at 60 s (WeChat's network guide: "默认超时时间和最大超时时间都是 60s"), streams
 * (enableChunked) included. A stream that may run past it is cut by the client, not by us.
 */
export const CLIENT_CEILING_MS = 60_000;

export interface TimedFunction {
  name: string;
  timeout: number;
}

/** What each intent function's timeout must exceed in `environment`, in ms. */
export function requiredTimeoutMs(config: Config, environment: string): number | undefined {
  const env = config.environments[environment as keyof Config["environments"]];
  return env ? env.streamMaxMs + env.modelBudgetMs + RECORD_MARGIN_MS : undefined;
}

/** One line per intent function whose timeout a stream could outlive, in each environment given. */
export function streamBudgetProblems(functions: readonly TimedFunction[], config: Config, environments: readonly string[], intents: readonly string[] = INTENT_NAMES): string[] {
  const problems: string[] = [];
  for (const environment of environments) {
    const env = config.environments[environment as keyof Config["environments"]];
    const required = requiredTimeoutMs(config, environment);
    if (!env || required === undefined) continue;
    if (required > CLIENT_CEILING_MS) {
      problems.push(
        `${environment}: a stream may run ${env.streamMaxMs} ms (model_stream_max_ms) + ${env.modelBudgetMs} ms (model_budget_ms) + ${RECORD_MARGIN_MS} ms for the record, past the ${CLIENT_CEILING_MS / 1000} s a Mini Program's wx.request can wait: lower model_stream_max_ms in profiles/env-policy.yaml to at most ${CLIENT_CEILING_MS - env.modelBudgetMs - RECORD_MARGIN_MS} ms`,
      );
    }
    for (const fn of functions.filter((f) => intents.includes(f.name))) {
      if (fn.timeout * 1000 > required) continue;
      problems.push(
        `${fn.name}: timeout ${fn.timeout} s, but in ${environment} a stream may run ${env.streamMaxMs} ms (model_stream_max_ms) + ${env.modelBudgetMs} ms for a refinement (model_budget_ms) + ${RECORD_MARGIN_MS} ms for the record: raise its timeout in serverless.yml above ${Math.ceil(required / 1000)} s, or lower the cap`,
      );
    }
  }
  return problems;
}
