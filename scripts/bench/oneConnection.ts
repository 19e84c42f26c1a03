// Latency on one kept-alive connection: requests one after another over a node:http Agent with
// a single socket, each timed with process.hrtime.bigint (nanoseconds; autocannon's histogram
// counts whole milliseconds). Subjects take turns in blocks, so a noisy second on a shared
// machine lands on all of them rather than on one.
import { Agent, request } from "node:http";
import { cpuUs } from "./processes";
import { percentile, round } from "./stats";

export interface Subject {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The i-th request's body (a different input each time, so no cache answers it). */
  body: (i: number) => string;
  /** The process that answers (read for its CPU per request; the upstream serves every subject, so direct has none). */
  pid?: number | undefined;
}

export interface OneConnectionRow {
  name: string;
  requests: number;
  /** Sockets the agent opened: 1 when the connection really stayed alive throughout. */
  sockets: number;
  statuses: Record<string, number>;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
  /** CPU the subject's own process used per measured request, in µs. */
  cpuUsPerRequest?: number;
}

function timedRequest(agent: Agent, subject: Subject, body: string, sockets: Set<unknown>): Promise<{ ns: bigint; status: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(subject.url, { method: "POST", agent, headers: { ...subject.headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () => resolve({ ns: process.hrtime.bigint() - started, status: res.statusCode ?? 0 }));
      res.on("error", reject);
    });
    req.on("socket", (socket) => sockets.add(socket));
    req.on("error", reject);
    req.end(body);
  });
}

export async function measureOneConnection(subjects: Subject[], options: { requests: number; warmup: number; block?: number }): Promise<OneConnectionRow[]> {
  const block = options.block ?? 50;
  const state = subjects.map((subject) => ({ subject, agent: new Agent({ keepAlive: true, maxSockets: 1 }), sockets: new Set<unknown>(), samples: [] as number[], statuses: {} as Record<string, number>, next: 0 }));
  const run = async (s: (typeof state)[number], count: number, record: boolean) => {
    for (let n = 0; n < count; n++) {
      const body = s.subject.body(s.next++);
      const { ns, status } = await timedRequest(s.agent, s.subject, body, s.sockets);
      if (!record) continue;
      s.samples.push(Number(ns) / 1000);
      s.statuses[status] = (s.statuses[status] ?? 0) + 1;
    }
  };
  for (const s of state) await run(s, options.warmup, false); // JIT warm-up and the socket's first connect, not measured
  const cpuBefore = state.map((s) => (s.subject.pid === undefined ? 0 : cpuUs(s.subject.pid)));
  for (let done = 0; done < options.requests; done += block) {
    for (const s of state) await run(s, Math.min(block, options.requests - done), true);
  }
  const cpuSpent = state.map((s, k) => (s.subject.pid === undefined ? undefined : cpuUs(s.subject.pid) - cpuBefore[k]!));
  for (const s of state) s.agent.destroy();
  return state.map((s, k) => ({
    name: s.subject.name,
    requests: s.samples.length,
    sockets: s.sockets.size,
    statuses: s.statuses,
    p50Us: round(percentile(s.samples, 50), 1),
    p90Us: round(percentile(s.samples, 90), 1),
    p99Us: round(percentile(s.samples, 99), 1),
    meanUs: round(s.samples.reduce((a, b) => a + b, 0) / Math.max(1, s.samples.length), 1),
    ...(cpuSpent[k] === undefined ? {} : { cpuUsPerRequest: round(cpuSpent[k] / Math.max(1, s.samples.length), 0) }),
  }));
}

/** Each row's p50 and p99 above the reference row's, in ms. */
export function addedOver(rows: OneConnectionRow[], reference: string): Record<string, { p50Ms: number; p99Ms: number }> {
  const ref = rows.find((r) => r.name === reference);
  if (!ref) throw new Error(`no row named ${reference}`);
  return Object.fromEntries(rows.filter((r) => r !== ref).map((r) => [r.name, { p50Ms: round((r.p50Us - ref.p50Us) / 1000, 3), p99Ms: round((r.p99Us - ref.p99Us) / 1000, 3) }]));
}
