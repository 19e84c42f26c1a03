// Work a web function does after it has answered (the record step): an SCF web function's
// instance, like the local server, keeps running after a response. What is in flight is
// awaited before the process leaves, so nothing recorded is lost to a shutdown.
export interface BackgroundWork {
  /** Runs `work` without holding the caller; its failure is the work's own to report. */
  run(work: () => Promise<void>): void;
  /** Resolves once everything started so far has finished. */
  drain(): Promise<void>;
}

export function createBackgroundWork(onError: (err: unknown) => void): BackgroundWork {
  const inFlight = new Set<Promise<void>>();
  return {
    run(work) {
      const running = work().catch(onError);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
