// The SCF instance model as a discrete-event simulation: requests go to instances; one that
// finds no free instance starts one and pays a cold start; scale-out, quota and provisioned
// launches are rate-bound; idle on-demand instances are reclaimed. Pure: same inputs and seed,
// same result.
import { cronFirings } from "./cron";
import { EventQueue } from "./eventQueue";
import { type CapacitySetting, cpuBoundLatency, type InstanceModel, type ReplayRequest } from "./instanceModel";
import { pick, seededRandom } from "./random";

export interface RequestOutcome {
  at: number;
  latencyMs: number;
  cold: boolean;
  /** 200 or the trace's status; 429 scale-out refused; 432 over quota; 504 over the timeout. */
  status: number;
}

export interface MinuteCounters {
  /** Most instances alive (ready or starting) at once. */
  instances: number;
  /** On-demand instances started (by users or warm-up pings). */
  started: number;
  /** Most provisioned instances ready at once. */
  provisioned: number;
  /** Most requests in flight at once. */
  concurrency: number;
}

export interface SimulationResult {
  setting: string;
  startMs: number;
  outcomes: RequestOutcome[];
  minutes: MinuteCounters[];
  /** Idle provisioned instance-seconds as SCF bills them (10 s buckets, max concurrency). */
  idleProvisionedInstanceSeconds: number;
  idleProvisionedGbSeconds: number;
  /**
   * Instance time with at least one request in flight, x memory: "instances x memory x time"
   * while they work. With one request per instance it is the sum of request durations.
   */
  activeInstanceGbSeconds: number;
}

interface Instance {
  provisioned: boolean;
  readyAt: number;
  busy: number;
  lastUsedAt: number;
  gone: boolean;
  /** Since when it has had a request in flight, and until when its last one runs. */
  busySince?: number;
  busyUntil?: number;
}

type Event = { kind: "warm"; count: number } | { kind: "finish"; instance: Instance; user: boolean } | { kind: "reclaim"; instance: Instance } | { kind: "target"; count: number } | { kind: "ping" } | { kind: "track" } | { kind: "tick" };

const BUCKET_MS = 10_000;

/** Provisioned target changes over [start, end): the state at `start`, then every scheduled change. */
export function provisionedTargets(setting: CapacitySetting, startMs: number, endMs: number, utcOffsetMinutes: number): { at: number; count: number }[] {
  const p = setting.provisioned;
  if (!p) return [];
  if (p.mode === "static") return [{ at: startMs, count: p.count }];
  if (p.mode === "tracking") return [{ at: startMs, count: p.min }];
  const lookBack = startMs - 8 * 86_400_000;
  const changes = p.actions.flatMap((a) => cronFirings(a.cron, lookBack, endMs, utcOffsetMinutes).map((at) => ({ at, count: a.count }))).sort((a, b) => a.at - b.at);
  const before = changes.filter((c) => c.at <= startMs);
  return [{ at: startMs, count: before.at(-1)?.count ?? p.count }, ...changes.filter((c) => c.at > startMs)];
}

export interface SimulateOptions {
  seed: number;
  startMs?: number;
  endMs?: number;
  /**
   * Instances earlier traffic had left warm when a traced window begins (a trace cut out of
   * ongoing traffic does not start on a cold platform): at `at`, at least `count` instances exist.
   */
  warmAt?: readonly { at: number; count: number }[];
}

export function simulate(requests: readonly ReplayRequest[], setting: CapacitySetting, model: InstanceModel, options: SimulateOptions): SimulationResult {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const startMs = options.startMs ?? Math.floor((sorted[0]?.at ?? 0) / 60_000) * 60_000;
  const lastAt = sorted.at(-1)?.at ?? startMs;
  const endMs = options.endMs ?? Math.ceil((lastAt + 1) / 60_000) * 60_000;
  const random = seededRandom(options.seed);
  const queue = new EventQueue<Event>();
  const instances: Instance[] = [];
  const minutes: MinuteCounters[] = Array.from({ length: Math.max(1, Math.ceil((endMs - startMs) / 60_000)) }, () => ({ instances: 0, started: 0, provisioned: 0, concurrency: 0 }));
  const outcomes: RequestOutcome[] = [];
  let inFlight = 0;
  let bucketMaxConcurrency = 0;
  let trackingPeak = 0;
  let idleInstanceSeconds = 0;
  let tokens = model.elasticStartsPerMinute;
  let tokensAt = startMs;
  let provisionCursor = startMs;
  let aliveCount = 0;
  let activeMs = 0;

  const minuteOf = (t: number) => minutes[Math.min(minutes.length - 1, Math.max(0, Math.floor((t - startMs) / 60_000)))]!;
  const add = (instance: Instance) => {
    instances.push(instance);
    aliveCount += 1;
  };
  const retire = (instance: Instance) => {
    instance.gone = true;
    aliveCount -= 1;
  };
  const noteConcurrency = (t: number) => {
    bucketMaxConcurrency = Math.max(bucketMaxConcurrency, inFlight);
    trackingPeak = Math.max(trackingPeak, inFlight);
    const m = minuteOf(t);
    m.concurrency = Math.max(m.concurrency, inFlight);
  };
  const noteInstances = (t: number) => {
    const m = minuteOf(t);
    m.instances = Math.max(m.instances, aliveCount);
  };
  const takeToken = (t: number) => {
    tokens = Math.min(model.elasticStartsPerMinute, tokens + ((t - tokensAt) * model.elasticStartsPerMinute) / 60_000);
    tokensAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const free = (t: number): Instance | undefined => {
    let best: Instance | undefined;
    for (const i of instances) {
      if (i.gone || i.readyAt > t || i.busy >= model.perInstanceConcurrency) continue;
      // Provisioned first (in use it is not billed as idle), then the most recently used.
      if (!best || (i.provisioned && !best.provisioned) || (i.provisioned === best.provisioned && i.lastUsedAt > best.lastUsedAt)) best = i;
    }
    return best;
  };
  const occupy = (instance: Instance, t: number, holdMs: number, user: boolean) => {
    if (instance.busy === 0) instance.busySince = t;
    instance.busyUntil = Math.max(instance.busyUntil ?? t, t + holdMs);
    instance.busy += 1;
    inFlight += 1;
    noteConcurrency(t);
    queue.push(t + holdMs, { kind: "finish", instance, user });
  };
  /** An on-demand start, or the reason there is none. */
  const startOnDemand = (t: number): Instance | 429 | 432 => {
    if (aliveCount >= model.maxInstances) return 432;
    if (!takeToken(t)) return 429;
    const instance: Instance = { provisioned: false, readyAt: t + pick(random, model.coldStartMs), busy: 0, lastUsedAt: t, gone: false };
    add(instance);
    minuteOf(t).started += 1;
    noteInstances(t);
    return instance;
  };
  const setTarget = (t: number, count: number) => {
    const mine = instances.filter((i) => !i.gone && i.provisioned);
    for (let n = mine.length; n < count; n++) {
      // Provisioned instances already in place when the replay begins start warm; later ones
      // launch one after another at the documented rate.
      if (t > startMs) provisionCursor = Math.max(provisionCursor, t) + 60_000 / model.provisionedStartsPerMinute;
      const readyAt = t > startMs ? provisionCursor : startMs;
      add({ provisioned: true, readyAt, busy: 0, lastUsedAt: readyAt, gone: false });
    }
    if (mine.length > count) {
      // Release the ones still launching first, then idle ones; released ones age out as on-demand.
      const order = [...mine].sort((a, b) => Number(a.readyAt <= t) - Number(b.readyAt <= t) || a.busy - b.busy);
      for (const i of order.slice(0, mine.length - count)) {
        if (i.readyAt > t) retire(i);
        else {
          i.provisioned = false;
          queue.push(Math.max(t, i.lastUsedAt) + model.idleReclaimMs, { kind: "reclaim", instance: i });
        }
      }
    }
    noteInstances(t);
  };
  const ping = (t: number, count: number) => {
    for (let n = 0; n < count; n++) {
      const idle = free(t);
      if (idle) {
        occupy(idle, t, model.pingMs, false);
        continue;
      }
      const started = startOnDemand(t);
      if (typeof started !== "number") occupy(started, t, started.readyAt - t + model.pingMs, false);
    }
  };
  const handle = (at: number, event: Event) => {
    switch (event.kind) {
      case "warm": {
        for (let n = aliveCount; n < event.count; n++) {
          const instance: Instance = { provisioned: false, readyAt: at, busy: 0, lastUsedAt: at, gone: false };
          add(instance);
          queue.push(at + model.idleReclaimMs, { kind: "reclaim", instance });
        }
        noteInstances(at);
        return;
      }
      case "finish": {
        event.instance.busy -= 1;
        event.instance.lastUsedAt = at;
        if (event.instance.busy === 0) activeMs += at - (event.instance.busySince ?? at);
        inFlight -= 1;
        if (!event.instance.provisioned && event.instance.busy === 0) queue.push(at + model.idleReclaimMs, { kind: "reclaim", instance: event.instance });
        return;
      }
      case "reclaim": {
        const i = event.instance;
        if (!i.gone && !i.provisioned && i.busy === 0 && at - i.lastUsedAt >= model.idleReclaimMs) retire(i);
        return;
      }
      case "target":
        setTarget(at, event.count);
        return;
      case "ping":
        ping(at, setting.warmup?.count ?? 0);
        return;
      case "track": {
        const p = setting.provisioned;
        if (p?.mode === "tracking") setTarget(at, Math.min(p.max, Math.max(p.min, Math.ceil(trackingPeak / model.perInstanceConcurrency / p.target))));
        trackingPeak = inFlight;
        queue.push(at + model.trackingIntervalMs, { kind: "track" });
        return;
      }
      case "tick": {
        const ready = instances.filter((i) => !i.gone && i.provisioned && i.readyAt <= at).length;
        idleInstanceSeconds += (Math.max(0, ready - bucketMaxConcurrency) * BUCKET_MS) / 1000;
        bucketMaxConcurrency = inFlight;
        const m = minuteOf(at - 1);
        m.provisioned = Math.max(m.provisioned, ready);
        m.instances = Math.max(m.instances, aliveCount);
        // Drop retired instances so the scans stay as short as the live pool.
        for (let k = instances.length - 1; k >= 0; k--) if (instances[k]!.gone) instances.splice(k, 1);
        if (at < endMs) queue.push(at + BUCKET_MS, { kind: "tick" });
        return;
      }
    }
  };
  // Warm-up pings and tracking use instances a moment before the first request at the same time.
  for (const change of provisionedTargets(setting, startMs, endMs, model.utcOffsetMinutes)) queue.push(change.at, { kind: "target", count: change.count });
  if (setting.warmup && setting.warmup.count > 0) for (const at of cronFirings(setting.warmup.cron, startMs, endMs, model.utcOffsetMinutes)) queue.push(at, { kind: "ping" });
  if (setting.provisioned?.mode === "tracking") queue.push(startMs + model.trackingIntervalMs, { kind: "track" });
  queue.push(startMs + BUCKET_MS, { kind: "tick" });
  for (const w of options.warmAt ?? []) queue.push(w.at, { kind: "warm", count: w.count });
  // Instances a warm-up timer keeps would already exist at the start of the replay: start them warm.
  for (let n = 0; n < (setting.warmup?.count ?? 0); n++) add({ provisioned: false, readyAt: startMs, busy: 0, lastUsedAt: startMs, gone: false });
  for (const i of instances.filter((x) => !x.provisioned)) queue.push(startMs + model.idleReclaimMs, { kind: "reclaim", instance: i });

  const runUntil = (t: number) => {
    while (queue.peekTime() <= t) {
      const next = queue.pop()!;
      handle(next.at, next.event);
    }
  };
  for (const request of sorted) {
    runUntil(request.at);
    const t = request.at;
    const warm = free(t);
    const instance = warm ?? startOnDemand(t);
    if (typeof instance === "number") {
      outcomes.push({ at: t, latencyMs: 0, cold: false, status: instance });
      continue;
    }
    const coldMs = warm ? 0 : instance.readyAt - t;
    const wanted = coldMs + cpuBoundLatency(request.serviceMs, instance.busy + 1, model);
    const timedOut = wanted > model.timeoutMs;
    const latencyMs = timedOut ? model.timeoutMs : wanted;
    occupy(instance, t, latencyMs, true);
    outcomes.push({ at: t, latencyMs, cold: !warm, status: timedOut ? 504 : (request.status ?? 200) });
  }
  runUntil(endMs);
  // Requests still running at the end count until they finish.
  for (const i of instances) if (!i.gone && i.busy > 0) activeMs += (i.busyUntil ?? endMs) - (i.busySince ?? endMs);
  const gb = model.memoryMb / 1024;
  return { setting: setting.name, startMs, outcomes, minutes, idleProvisionedInstanceSeconds: idleInstanceSeconds, idleProvisionedGbSeconds: idleInstanceSeconds * gb, activeInstanceGbSeconds: (activeMs / 1000) * gb };
}
