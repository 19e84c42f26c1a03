import type { ResolvedManifest } from "./manifest";
import type { ScfApi } from "./scfApi";
import type { Clock } from "./waitFor";

/** What every deploy step shares: the API, the stage, how to wait, where to say what it does. */
export interface DeployContext {
  api: ScfApi;
  manifest: ResolvedManifest;
  /** Function states and version publishing. */
  clock: Clock;
  /** Provisioned instances starting (about 100 a minute): a longer wait. */
  provisionClock: Clock;
  log: (line: string) => void;
}
