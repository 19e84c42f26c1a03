// Sums a V8 .cpuprofile (as written by node --cpu-prof) into self and inclusive time per function.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Weighted {
  name: string;
  ms: number;
}

/** Self time over every function, inclusive time over the profiled bundle's own (index.mjs) frames. */
export function heaviest(profile: CpuProfile, top: number): { totalMs: number; self: Weighted[]; inclusive: Weighted[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const nameOf = (id: number) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url === "" ? "" : ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;
    return `${frame.functionName || "(anonymous)"}${where}`;
  };
  const sampled = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    sampled.set(id, (sampled.get(id) ?? 0) + us);
    total += us;
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of sampled) {
    self.set(nameOf(id), (self.get(nameOf(id)) ?? 0) + us);
    // A recursive function counts once per sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      if (!byId.get(cur)!.callFrame.url.endsWith("index.mjs")) continue;
      const name = nameOf(cur);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: total / 1000, self: rank(self), inclusive: rank(inclusive) };
}
