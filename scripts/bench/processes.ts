// Benchmark subjects run as their own processes, as in production: the local upstream, and the
// built function bundles (node index.mjs, as scf_bootstrap starts them).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;

/** Spawns and resolves with the first stdout line that is JSON and passes `match`. */
export function spawnUntil(command: string, args: string[], env: Record<string, string>, match: (line: Record<string, unknown>) => boolean, cwd = ROOT) {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise<{ child: ChildProcess; line: Record<string, unknown>; ms: number }>((resolve, reject) => {
    let buffer = "";
    let found = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (found) return; // keep draining: a full pipe would block the child's log writes
      buffer += chunk.toString();
      for (const raw of buffer.split("\n").slice(0, -1)) {
        try {
          const line = JSON.parse(raw) as Record<string, unknown>;
          if (match(line)) {
            found = true;
            resolve({ child, line, ms: performance.now() - started });
            return;
          }
        } catch {
          // not a JSON line
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    // Kept (its tail) so a subject that cannot start says why.
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (!found) stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on("exit", (code) => {
      if (!found) reject(new Error(`${command} ${args.join(" ")} exited ${code} before it was ready${stderr ? `:\n${stderr}` : ""}`));
    });
  });
}

export async function startUpstream(delayMs: number): Promise<{ url: string; port: number; child: ChildProcess }> {
  const { child, line } = await spawnUntil(join(ROOT, "node_modules/.bin/tsx"), ["scripts/local-upstream/cli.ts", "--delay", String(delayMs)], {}, (l) => typeof l.port === "number");
  return { url: `http://127.0.0.1:${String(line.port)}/v1`, port: Number(line.port), child };
}

/** The floor forwarder (floorForwarder.ts) in front of `upstreamUrl`: one node process (tsx only loads it). */
export async function startFloor(upstreamUrl: string, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const { child, line } = await spawnUntil(process.execPath, [...nodeArgs, "--import", "tsx", "scripts/bench/floorForwarder.ts"], { FLOOR_UPSTREAM_URL: upstreamUrl, PORT: "0" }, (l) => l.msg === "listening");
  return { url: `http://127.0.0.1:${String(line.port)}`, child };
}

/** `nodeArgs` go before the script (a profiler's flags). */
export async function startBundle(dir: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess; initMs: number; spawnToListenMs: number }> {
  const { child, line, ms } = await spawnUntil(process.execPath, [...nodeArgs, "index.mjs"], { PORT: "0", ...env }, (l) => l.msg === "listening", dir);
  return { url: `http://127.0.0.1:${String(line.port)}`, child, initMs: Number(line.initMs), spawnToListenMs: ms };
}

/** Resident set size of a process, from /proc (Linux). */
export function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

function ownCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number));
  } catch {
    return []; // gone meanwhile
  }
}

/**
 * CPU time a process and its descendants have used so far (user + system), in µs, from /proc
 * (Linux; clock ticks of 10 ms, so read it around a few hundred requests or more). Descendants
 * because tsx runs a script in a child process (the upstream). On a shared machine this is the
 * steadier figure: throughput moves with what else runs, the CPU a request costs much less.
 */
export function cpuUs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let own = 0;
  try {
    own = ownCpuUs(pid);
  } catch {
    return 0; // gone meanwhile
  }
  return own + childrenOf(pid).reduce((total, child) => total + cpuUs(child), 0);
}

export function stop(...children: (ChildProcess | undefined)[]): void {
  for (const child of children) child?.kill();
}
