// What the simulation models of SCF, each figure a setting with its source. Only the cold-start
// samples are measured here (the real built bundles, scripts/burst/coldStart.ts); the rest is
// the platform's documented behaviour, or our assumption where SCF documents none.
import type { Provisioned } from "../../lib/deploy/manifest";
import { cpuShareFor } from "../capacity/cpuShare";
import { MEASURED } from "../capacity/measured";

export interface InstanceModel {
  /**
   * Requests one instance serves at once. SCF: "one concurrent instance processes only one event
   * at any time" by default; HTTP-triggered (web) functions may enable multiple concurrent
   * requests (product 583/47183): stages.yml's `concurrency` per function (concurrencySetting.ts).
   */
  perInstanceConcurrency: number;
  /**
   * CPU one request costs, ms (measured: `npm run capacity`, scripts/capacity/measured.ts), and
   * the share of a core an instance has (proportional to memory; scripts/capacity/cpuShare.ts).
   * An instance whose requests need more CPU than its share slows them all: a request admitted
   * with k in flight takes max(its model latency, k x cpuMsPerRequest / cpuShare).
   */
  cpuMsPerRequest: number;
  cpuShare: number;
  /** Spawn-to-first-answer overhead of a fresh instance, ms: samples measured from dist/<fn>. */
  coldStartMs: readonly number[];
  /**
   * On-demand scale-out: "the default maximum speed of elastic concurrency expansion ... is 500
   * concurrent instances per region per minute"; beyond it SCF answers 429 ResourceLimit
   * (product 583/35311). Modelled as a bucket of 500 refilled continuously.
   */
  elasticStartsPerMinute: number;
  /** Provisioned instances launch at "100 instances per minute" by default (product 583/37704). */
  provisionedStartsPerMinute: number;
  /**
   * An idle on-demand instance is reclaimed after this long. SCF documents no figure; 5 minutes
   * is our assumption (the manifest's warm-up timer fires every 4 minutes to stay under it).
   */
  idleReclaimMs: number;
  /** Concurrent instances the function may have; past it SCF answers 432 ResourceLimitReached (583/39848). */
  maxInstances: number;
  /** The function's timeout (serverless.yml); a request that would run longer fails (counted as 5xx). */
  timeoutMs: number;
  memoryMb: number;
  /** How long a warm-up ping holds an instance. */
  pingMs: number;
  /** Tracking mode re-evaluates this often (SCF documents no interval: assumed). */
  trackingIntervalMs: number;
  /** Offset of the crons' time zone from UTC (Beijing, UTC+8). */
  utcOffsetMinutes: number;
}

export const DEFAULT_MODEL: Omit<InstanceModel, "coldStartMs"> = {
  perInstanceConcurrency: 1,
  cpuMsPerRequest: MEASURED.cpuMsPerStreamedRequest,
  cpuShare: cpuShareFor(256),
  elasticStartsPerMinute: 500,
  provisionedStartsPerMinute: 100,
  idleReclaimMs: 5 * 60_000,
  maxInstances: 300,
  timeoutMs: 60_000,
  memoryMb: 256,
  pingMs: 50,
  trackingIntervalMs: 60_000,
  utcOffsetMinutes: 480,
};

/** One capacity setting to replay traffic against: provisioned concurrency and warm-up pings. */
export interface CapacitySetting {
  name: string;
  provisioned?: Provisioned;
  /** `count` concurrent pings at every firing of `cron` (the warm-up function's timer). */
  warmup?: { count: number; cron: string };
}

/** One request to replay: when it arrives, and how long a warm instance takes to answer it. */
export interface ReplayRequest {
  at: number;
  serviceMs: number;
  /** The status a warm instance answers (a trace's own 5xx stay 5xx); 200 when unknown. */
  status?: number;
}

/** Wall time a request takes on an instance with `inFlight` requests (itself included) sharing its CPU. */
export function cpuBoundLatency(serviceMs: number, inFlight: number, model: Pick<InstanceModel, "cpuMsPerRequest" | "cpuShare">): number {
  return Math.max(serviceMs, (inFlight * model.cpuMsPerRequest) / model.cpuShare);
}
