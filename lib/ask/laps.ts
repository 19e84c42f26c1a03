/** Time spent per step of a request: each lap runs from the previous one. */
export function createLaps(now: () => number, startedAt: number) {
  const timings: Record<string, number> = {};
  let last = startedAt;
  return {
    timings,
    lap(step: string) {
      const t = now();
      timings[step] = t - last;
      last = t;
    },
  };
}
