// A deadline on a dependency (the store, WeChat, a provider) that measures the dependency, not
// our own event loop. A plain setTimeout measures wall time, and on a loaded or CPU-throttled
// process (an SCF instance's CPU is a share of a core) that time is mostly ours:
//
//  1. The reply is waiting, unread. Each turn of Node's event loop runs due timers first and
//     reads sockets after (the poll phase; https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick).
//     When a turn's callbacks take longer than the deadline (200 requests parsed in one poll
//     phase, or the cgroup freezing the process for 75 ms of every 100), the store's reply
//     arrives during that turn, the next turn runs the expired timer first, and a healthy
//     store is called unavailable with its answer in our socket buffer. So an expired deadline
//     does not fire at once: it yields with setImmediate, which runs in the check phase right
//     after a poll phase, and fires only if the work is still pending then. Any reply that had
//     arrived by the time the timer ran has been read and has settled the work by then.
//  2. The request left late. A dependency reached in steps (undici's fetch dispatches on a
//     later turn, a connect precedes the command, EVALSHA may be followed by EVAL) cannot even
//     start its next step while our loop is blocked. So the deadline is counted in turns of a
//     responsive loop: it runs as a few shorter timers, and time a timer fires late (beyond
//     ordinary jitter) is the loop's stall, not the dependency's, and is not counted.
//
// The cost: under a stalled loop a dependency that is really down is declared so later (by the
// stalls), never sooner. On an idle loop the deadline fires after `ms` plus one turn, as before.
import { performance } from "node:perf_hooks";

export interface DependencyDeadline {
  /** Stops it for good: `expire` will not run, and `refresh` does nothing. */
  cancel(): void;
  /** Starts the full time again (a stream's idle deadline after each chunk), also after it expired. */
  refresh(): void;
}

/** Lateness up to this is ordinary timer jitter and still counts as the dependency's time. */
const TIMER_JITTER_MS = 5;
/** A deadline is checked in this many steps, so a stall anywhere in it is seen (and not counted). */
const STEPS = 4;
/** Steps no shorter than this: a short deadline costs a few timers, not dozens. */
const MIN_STEP_MS = 10;
/** Node's longest timer; a longer one would fire after 1 ms (TimeoutOverflowWarning) and spin. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `expire` once `ms` of the dependency's time have passed (see above), unless cancelled first. */
export function armDependencyDeadline(ms: number, expire: () => void): DependencyDeadline {
  const step = Math.max(MIN_STEP_MS, ms / STEPS);
  let counted = 0;
  let armedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let yielded: NodeJS.Immediate | undefined;
  let cancelled = false;
  const arm = () => {
    const delay = Math.max(1, Math.ceil(Math.min(step, ms - counted, MAX_TIMER_MS)));
    armedAt = performance.now();
    timer = setTimeout(() => {
      counted += Math.min(performance.now() - armedAt, delay + TIMER_JITTER_MS);
      if (counted < ms) return arm();
      timer = undefined;
      yielded = setImmediate(() => {
        yielded = undefined;
        expire();
      });
    }, delay);
  };
  const stop = () => {
    clearTimeout(timer);
    clearImmediate(yielded);
    timer = undefined;
    yielded = undefined;
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      stop();
    },
    refresh() {
      if (cancelled) return;
      // The running step's timer stays (cheap when called per chunk); what it has counted so far
      // is subtracted, so the count restarts from now.
      if (timer) return void (counted = -(performance.now() - armedAt));
      stop();
      counted = 0;
      arm();
    },
  };
}

/**
 * An AbortSignal for a dependency's request (fetch) that aborts with a TimeoutError, as
 * AbortSignal.timeout does, but after `ms` of the dependency's time. `cancel` once the reply is read.
 */
export function dependencySignal(ms: number): { signal: AbortSignal; cancel(): void } {
  const controller = new AbortController();
  const deadline = armDependencyDeadline(ms, () => controller.abort(new DOMException(`no reply within ${ms} ms`, "TimeoutError")));
  return { signal: controller.signal, cancel: deadline.cancel };
}
