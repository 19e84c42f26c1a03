// A subject's processes held to a share of a core (scripts/support/cpuQuota.ts), with its CPU read
// from the quota's cgroup; where no cgroup cpu controller is writable, unthrottled, saying so, and
// its CPU read from /proc instead.
import { cpuUs } from "../bench/processes";
import { createCpuQuota } from "../support/cpuQuota";

export interface Throttled {
  /** CPU used so far by the processes, µs. */
  cpuUs(): number;
  release(): void;
  /** "cgroup-v1", "cgroup-v2", or "UNTHROTTLED (why)". */
  controller: string;
}

/** Holds `pids` to `share` of a core, or says why it cannot and counts their CPU from /proc. */
export function throttle(share: number, name: string, pids: number[]): Throttled {
  const quota = createCpuQuota(share, name);
  if (!quota.ok) return { cpuUs: () => pids.reduce((sum, pid) => sum + cpuUs(pid), 0), release: () => undefined, controller: `UNTHROTTLED (${quota.reason})` };
  for (const pid of pids) quota.quota.add(pid);
  return { cpuUs: () => quota.quota.usageMicros(), release: () => quota.quota.release(), controller: quota.quota.controller };
}

