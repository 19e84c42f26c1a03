// Holds processes to a share of one core, as SCF holds an instance to the CPU share of its memory
// size. Linux's cgroup cpu controller: v1 (cpu.cfs_quota_us / cpu.cfs_period_us) or v2 (cpu.max),
// whichever this machine lets root write. Where neither is writable the caller is told so and
// decides (run unthrottled and say so, or skip).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface CpuQuota {
  /** The share of one core, 0 < share <= 1 (or more, for several cores). */
  readonly share: number;
  /** Which controller holds it: "cgroup-v1" or "cgroup-v2". */
  readonly controller: "cgroup-v1" | "cgroup-v2";
  /** Moves a running process (all its threads) under the quota. */
  add(pid: number): void;
  /** CPU time used by everything under the quota so far, in microseconds. */
  usageMicros(): number;
  /** Moves what is left back to the root group and removes the group. */
  release(): void;
}

export type CpuQuotaResult = { ok: true; quota: CpuQuota } | { ok: false; reason: string };

const PERIOD_US = 100_000;
const V1_ROOT = "/sys/fs/cgroup/cpu";
const V1_ACCT = "/sys/fs/cgroup/cpuacct";
const V2_ROOTS = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"];

/** Creates a cgroup named `miniask-<name>-<pid>` holding its members to `share` of a core. */
export function createCpuQuota(share: number, name: string): CpuQuotaResult {
  if (!(share > 0)) return { ok: false, reason: `share must be above 0 (got ${share})` };
  const group = `miniask-${name.replace(/[^a-z0-9-]/gi, "-")}-${process.pid}`;
  const quotaUs = Math.max(1000, Math.round(share * PERIOD_US));
  const failures: string[] = [];
  try {
    return { ok: true, quota: v1Quota(share, group, quotaUs) };
  } catch (error) {
    failures.push(`cgroup v1: ${(error as Error).message}`);
  }
  for (const root of V2_ROOTS) {
    try {
      return { ok: true, quota: v2Quota(share, root, group, quotaUs) };
    } catch (error) {
      failures.push(`cgroup v2 at ${root}: ${(error as Error).message}`);
    }
  }
  return { ok: false, reason: `no writable cgroup cpu controller (${failures.join("; ")})` };
}

function v1Quota(share: number, group: string, quotaUs: number): CpuQuota {
  if (!existsSync(join(V1_ROOT, "cpu.cfs_quota_us"))) throw new Error(`${V1_ROOT} has no cpu.cfs_quota_us`);
  const dir = join(V1_ROOT, group);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cpu.cfs_period_us"), String(PERIOD_US));
  writeFileSync(join(dir, "cpu.cfs_quota_us"), String(quotaUs));
  // cpuacct is usually a separate v1 hierarchy: a group of the same name there counts usage.
  const acct = existsSync(join(V1_ACCT, "cpuacct.usage")) ? join(V1_ACCT, group) : undefined;
  if (acct) mkdirSync(acct, { recursive: true });
  return {
    share,
    controller: "cgroup-v1",
    add(pid) {
      writeFileSync(join(dir, "cgroup.procs"), String(pid));
      if (acct) writeFileSync(join(acct, "cgroup.procs"), String(pid));
    },
    usageMicros() {
      if (acct) return Number(readFileSync(join(acct, "cpuacct.usage"), "utf8").trim()) / 1000;
      const line = readFileSync(join(dir, "cpuacct.usage"), "utf8");
      return Number(line.trim()) / 1000;
    },
    release() {
      for (const [path, root] of [[dir, V1_ROOT], [acct, V1_ACCT]] as const) {
        if (!path) continue;
        moveMembers(path, root);
        tryRemove(path);
      }
    },
  };
}

function v2Quota(share: number, root: string, group: string, quotaUs: number): CpuQuota {
  const controllers = readFileSync(join(root, "cgroup.controllers"), "utf8");
  if (!controllers.split(/\s+/).includes("cpu")) throw new Error("the cpu controller is not enabled there");
  const dir = join(root, group);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cpu.max"), `${quotaUs} ${PERIOD_US}`);
  return {
    share,
    controller: "cgroup-v2",
    add(pid) {
      writeFileSync(join(dir, "cgroup.procs"), String(pid));
    },
    usageMicros() {
      const stat = readFileSync(join(dir, "cpu.stat"), "utf8");
      const match = /^usage_usec (\d+)$/m.exec(stat);
      return match ? Number(match[1]) : Number.NaN;
    },
    release() {
      moveMembers(dir, root);
      tryRemove(dir);
    },
  };
}

function moveMembers(dir: string, root: string): void {
  let pids: string[] = [];
  try {
    pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      writeFileSync(join(root, "cgroup.procs"), pid);
    } catch {
      // The process has exited meanwhile: nothing to move.
    }
  }
}

function tryRemove(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // A member still exiting keeps the group busy for a moment; an empty leftover group is harmless.
  }
}
