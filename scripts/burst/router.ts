// The instance model with real processes: a local router in front of the built bundle, started
// as scf_bootstrap starts it. A request goes to a free instance; one that finds none spawns a
// process and waits for it (a real cold start); past the process cap it is refused with 432
// (as SCF's quota), past the scale-out rate with 429. Idle on-demand processes are killed after
// the idle time; provisioned ones are started (and pinged) before traffic and kept.
import { type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startBundle, stop } from "../bench/processes";

export interface RouterOptions {
  dir: string;
  env: Record<string, string>;
  perInstanceConcurrency: number;
  /** This machine's bound on processes (2 cores, shared): the quota of the real run. */
  maxProcesses: number;
  elasticStartsPerMinute: number;
  idleReclaimMs: number;
  /** Started and warmed before traffic, never reclaimed. */
  provisioned: number;
  /** Started and pinged before traffic, like a warm-up timer's instances, reclaimed when idle. */
  warm: number;
}

interface Process {
  url: string;
  child: ChildProcess;
  busy: number;
  lastUsedAt: number;
  provisioned: boolean;
}

export interface RoutedOutcome {
  at: number;
  latencyMs: number;
  cold: boolean;
  status: number;
}

export interface Router {
  url: string;
  /** Most processes alive at once since the last call. */
  takePeakProcesses(): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

export async function startRouter(options: RouterOptions, onOutcome: (o: RoutedOutcome) => void): Promise<Router> {
  const processes: Process[] = [];
  let starting = 0;
  let peak = 0;
  let tokens = options.elasticStartsPerMinute;
  let tokensAt = performance.now();
  const spawnOne = async (provisioned: boolean): Promise<Process> => {
    starting += 1;
    try {
      const started = await startBundle(options.dir, options.env);
      const p: Process = { url: started.url, child: started.child, busy: 0, lastUsedAt: performance.now(), provisioned };
      processes.push(p);
      peak = Math.max(peak, processes.length);
      return p;
    } finally {
      starting -= 1;
    }
  };
  const warmUp = async (p: Process) => {
    await (await fetch(`${p.url}/v1/mini/warmup`, { method: "POST" })).arrayBuffer();
  };
  for (const p of await Promise.all(Array.from({ length: options.provisioned + options.warm }, (_, i) => spawnOne(i < options.provisioned)))) await warmUp(p);

  const reclaim = setInterval(() => {
    const now = performance.now();
    for (const p of [...processes]) {
      if (!p.provisioned && p.busy === 0 && now - p.lastUsedAt >= options.idleReclaimMs) {
        processes.splice(processes.indexOf(p), 1);
        stop(p.child);
      }
    }
  }, Math.max(50, Math.min(1000, options.idleReclaimMs / 4)));

  const takeToken = () => {
    const now = performance.now();
    tokens = Math.min(options.elasticStartsPerMinute, tokens + ((now - tokensAt) * options.elasticStartsPerMinute) / 60_000);
    tokensAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const pickFree = () => processes.filter((p) => p.busy < options.perInstanceConcurrency).sort((a, b) => Number(b.provisioned) - Number(a.provisioned) || b.lastUsedAt - a.lastUsedAt)[0];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const started = performance.now();
    const body = await readBody(req);
    let instance = pickFree();
    const cold = !instance;
    if (!instance) {
      const refusal = processes.length + starting >= options.maxProcesses ? 432 : takeToken() ? undefined : 429;
      if (refusal) {
        res.writeHead(refusal, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: refusal === 429 ? "ResourceLimit" : "ResourceLimitReached", message: "local router: no instance available" } }));
        onOutcome({ at, latencyMs: performance.now() - started, cold: false, status: refusal });
        return;
      }
      instance = await spawnOne(false);
    }
    instance.busy += 1;
    let status = 502;
    try {
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "host" && e[0] !== "connection" && e[0] !== "content-length"));
      const answer = await fetch(`${instance.url}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body.length ? { body } : {}) });
      status = answer.status;
      const bytes = Buffer.from(await answer.arrayBuffer());
      res.writeHead(status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(bytes);
    } catch {
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "bad_gateway", message: "local router: the instance did not answer" } }));
    } finally {
      instance.busy -= 1;
      instance.lastUsedAt = performance.now();
      onOutcome({ at, latencyMs: performance.now() - started, cold, status });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    takePeakProcesses: () => {
      const p = peak;
      peak = processes.length;
      return p;
    },
    close: async () => {
      clearInterval(reclaim);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      stop(...processes.map((p) => p.child));
      processes.length = 0;
    },
  };
}
