// What `npm run capacity` measured, as the defaults burst and plan use (a shared 2-core machine:
// noisy; re-run and replace). PRELIMINARY figures until the full run replaces them.
export const MEASURED = {
  date: "2026-12-02",
  command: "npm run capacity -- --functions summarize,support,recommend --n 1,5 --tokens 20 --tps 100 --rounds 1",
  /** CPU one streamed answer cost the summarize bundle held to 256 MB's share (draft + final). */
  cpuMsPerStreamedRequest: 32,
  /** Recommended MaxConcurrency per intent function. */
  maxConcurrency: { summarize: 5, support: 1, recommend: 1, extract: 1 } as Record<string, number>,
};
