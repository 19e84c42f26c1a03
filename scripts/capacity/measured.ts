// What `npm run capacity` measured, as the defaults burst and plan use. One run on a shared
// 2-core machine (load average 5.5 -> 7.0 during it): noisy; re-run and replace.
//   npm run build && npm run capacity -- --json capacity.json      (2026-12-02 14:00-14:05 UTC)
export const MEASURED = {
  date: "2026-12-02",
  command: "npm run capacity (defaults: N 1,5,10,25,50; 50 tokens/s, 80 tokens, first token 200 ms; 256 MB -> 16.7% of a core)",
  /**
   * CPU one streamed answer cost the summarize bundle at N = 25 (its recommended MaxConcurrency):
   * 25.7 ms, a draft and a refined final (two model streams, dev's summarize_v2).
   */
  cpuMsPerStreamedRequest: 25.7,
  /** Recommended MaxConcurrency per intent function (the rule in recommendation.ts). */
  maxConcurrency: { summarize: 25, support: 50, recommend: 10, extract: 1 } as Record<string, number>,
};
