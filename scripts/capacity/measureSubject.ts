// One subject (a function's bundle, or the floor) under its CPU quota, at each N: whole answers,
// then streamed ones. What a row holds is what the recommendation and the table read: time added
// over what the paced upstream itself takes, CPU from the quota's cgroup (or /proc when
// unthrottled), the process's largest RSS while the step ran, and failed requests.
import { percentile, round } from "../bench/stats";
import { type RequestSample, runClients, type Target } from "./clients";
import type { Pace } from "./modelUpstream";

export interface Subject {
  name: string;
  memoryMb: number;
  /** The profile asks the model whole (tools) and streams the answer as one event. */
  firstEventIsWholeAnswer: boolean;
  whole: Target;
  stream: Target;
  /** CPU used so far by everything the subject runs, µs. */
  cpuUs(): number;
  /** Resident memory now, MB. */
  rssMb(): number;
}

export interface PhaseResult {
  requests: number;
  errors: number;
  /** Added to the first event (the whole answer, or the first delta) over the upstream's own time. */
  addedFirstP50Ms: number;
  addedFirstP99Ms: number;
  cpuMsPerRequest: number;
}

export interface StreamPhaseResult extends PhaseResult {
  events: number;
  addedGapP99Ms: number;
  cpuUsPerEvent: number;
  /**
   * CPU per event above what a whole answer cost per request (same N): the per-event work alone,
   * with what every request costs (parse, auth, model call, audit) taken out.
   */
  cpuUsPerEventOverWhole?: number;
}

export interface StepRow {
  subject: string;
  memoryMb: number;
  n: number;
  whole: PhaseResult;
  stream: StreamPhaseResult;
  rssMb: number;
  errors: number;
  /** The stream carried the answer as one event (a tools profile): no per-event cost to compare. */
  streamsWhole: boolean;
}

/** What the paced upstream itself takes: to the first token, to the last, and between tokens. */
export function expectedTimes(pace: Pace): { firstMs: number; wholeMs: number; gapMs: number } {
  const gapMs = 1000 / pace.tokensPerSecond;
  return { firstMs: pace.firstTokenMs, wholeMs: pace.firstTokenMs + (pace.tokens - 1) * gapMs, gapMs };
}

export function phaseStats(samples: readonly RequestSample[], expectedFirstMs: number, cpuUs: number): PhaseResult {
  const ok = samples.filter((s) => s.ok);
  const added = ok.map((s) => s.firstMs - expectedFirstMs);
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    addedFirstP50Ms: round(percentile(added, 50), 1),
    addedFirstP99Ms: round(percentile(added, 99), 1),
    cpuMsPerRequest: round(cpuUs / 1000 / Math.max(1, samples.length), 3),
  };
}

export function streamStats(samples: readonly RequestSample[], expected: { firstMs: number; gapMs: number }, cpuUs: number): StreamPhaseResult {
  const events = samples.reduce((sum, s) => sum + s.events, 0);
  const gaps = samples.flatMap((s) => (s.ok ? s.gaps.map((g) => g - expected.gapMs) : []));
  // An answer streamed as one event has no gaps: nothing added between events.
  return { ...phaseStats(samples, expected.firstMs, cpuUs), events, addedGapP99Ms: gaps.length ? round(percentile(gaps, 99), 1) : 0, cpuUsPerEvent: round(cpuUs / Math.max(1, events), 1) };
}

async function measured<T>(subject: Subject, run: () => Promise<T>): Promise<{ value: T; cpuUs: number; rssMb: number }> {
  let rss = subject.rssMb();
  const sampler = setInterval(() => {
    rss = Math.max(rss, subject.rssMb());
  }, 100);
  const before = subject.cpuUs();
  try {
    const value = await run();
    return { value, cpuUs: subject.cpuUs() - before, rssMb: Math.max(rss, subject.rssMb()) };
  } finally {
    clearInterval(sampler);
  }
}

export async function measureSubject(subject: Subject, pace: Pace, ns: readonly number[], rounds: number, report: (line: string) => void = () => undefined): Promise<StepRow[]> {
  const expected = expectedTimes(pace);
  const spreadMs = expected.wholeMs;
  let index = 0;
  const run = async (target: Target, clients: number, r: number) => {
    const samples = await runClients(target, { clients, rounds: r, spreadMs, firstIndex: index });
    index += clients * r;
    return samples;
  };
  // JIT warm-up, not measured.
  await run(subject.whole, Math.min(5, Math.max(...ns)), 1);
  await run(subject.stream, Math.min(5, Math.max(...ns)), 1);
  const rows: StepRow[] = [];
  for (const n of ns) {
    const whole = await measured(subject, () => run(subject.whole, n, rounds));
    const stream = await measured(subject, () => run(subject.stream, n, rounds));
    const row: StepRow = {
      subject: subject.name,
      memoryMb: subject.memoryMb,
      n,
      whole: phaseStats(whole.value, expected.wholeMs, whole.cpuUs),
      stream: streamStats(stream.value, subject.firstEventIsWholeAnswer ? { ...expected, firstMs: expected.wholeMs } : expected, stream.cpuUs),
      rssMb: round(Math.max(whole.rssMb, stream.rssMb), 1),
      errors: 0,
      streamsWhole: subject.firstEventIsWholeAnswer,
    };
    row.errors = row.whole.errors + row.stream.errors;
    if (row.stream.events > 0) row.stream.cpuUsPerEventOverWhole = round(((row.stream.cpuMsPerRequest - row.whole.cpuMsPerRequest) * 1000 * row.stream.requests) / row.stream.events, 1);
    rows.push(row);
    report(`  ${subject.name} N=${n}: first event +${row.stream.addedFirstP99Ms} ms p99, gap +${row.stream.addedGapP99Ms} ms p99, ${row.stream.cpuUsPerEvent} µs CPU/event, RSS ${row.rssMb} MB, ${row.errors} errors`);
  }
  return rows;
}
