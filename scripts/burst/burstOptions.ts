// The options burst and plan share, declared once (scripts/support/cli.ts): the latency and
// cold-start inputs and the instance model's overrides that burstInputs.ts reads. The defaults
// shown are the constants the readers fall back to.
import type { OptionSpec, Parsed } from "../support/cli";
import { DEFAULT_CORES_PER_GB } from "../capacity/cpuShare";
import type { Flags } from "./flags";
import { DEFAULT_MODEL } from "./instanceModel";
import { DEFAULT_LATENCY } from "./shapes";

export const REPLAY_MODEL_OPTIONS = {
  seed: { type: "number", default: 1, description: "the seed of every random draw (latencies, arrivals): the same seed, the same run" },
  "latency-median": { type: "number", value: "MS", default: DEFAULT_LATENCY.medianMs, description: "the model latency's median, for requests without one of their own" },
  "latency-sigma": { type: "number", default: DEFAULT_LATENCY.sigma, description: "the model latency's log-normal sigma" },
  "cold-start-ms": { type: "string", value: "MS,MS,...", description: "cold starts to draw from, instead of measuring them (default: measured, --cold-runs fresh processes of the built bundle)" },
  "cold-runs": { type: "number", default: 5, description: "fresh processes of dist/<fn> to measure cold starts with" },
  "platform-cold-ms": { type: "number", value: "MS", default: 0, description: "what SCF adds before the process starts (from the Init Report log line), added to each cold start" },
  dist: { type: "string", value: "DIR", description: "the built bundles (default: dist/, npm run build)" },
  "per-instance": { type: "number", description: "requests per instance (default: the stages file's concurrency for the function)" },
  "cpu-ms-per-request": { type: "number", value: "MS", default: DEFAULT_MODEL.cpuMsPerRequest, description: "CPU a request takes on a whole core (measured by npm run capacity)" },
  "cores-per-gb": { type: "number", default: DEFAULT_CORES_PER_GB, description: "the CPU share SCF gives per GB of memory" },
  "idle-reclaim-min": { type: "number", value: "MIN", default: DEFAULT_MODEL.idleReclaimMs / 60_000, description: "minutes an idle instance lives before SCF reclaims it" },
  "max-instances": { type: "number", default: DEFAULT_MODEL.maxInstances, description: "the account's instance quota" },
  "elastic-per-min": { type: "number", default: DEFAULT_MODEL.elasticStartsPerMinute, description: "on-demand instance starts SCF makes a minute" },
  "provisioned-per-min": { type: "number", default: DEFAULT_MODEL.provisionedStartsPerMinute, description: "provisioned instance launches a minute" },
} as const satisfies Record<string, OptionSpec>;

/** The flags given on the command line, as the readers of burstInputs.ts and friends take them (their own fallbacks apply to the rest). */
export function flagsOf<O extends Record<string, OptionSpec>>(parsed: Parsed<O>): Flags {
  const flags: Flags = {};
  for (const name of parsed.given) {
    const value = (parsed.values as Record<string, unknown>)[name];
    if (value === true) flags[name] = true;
    else if (value !== false && value !== undefined) flags[name] = String(value);
  }
  return flags;
}
