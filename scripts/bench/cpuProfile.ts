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

export type SelfGroup = "own code" | "node internals" | "native" | "garbage collector" | "idle" | "program";

/**
 * Self time summed by where it ran: the subject's own code (`isOwn(url)`), Node's JavaScript
 * (node: URLs, dependencies), native functions without a URL (writev, the header check's RegExp),
 * V8's GC, idle and (program), in ms. Sets two subjects side by side where function names differ.
 */
export function selfByGroup(profile: CpuProfile, isOwn: (url: string) => boolean): Record<SelfGroup, number> {
  const groupOf = new Map<number, SelfGroup>();
  for (const n of profile.nodes) {
    const { functionName, url } = n.callFrame;
    const special: Record<string, SelfGroup> = { "(garbage collector)": "garbage collector", "(idle)": "idle", "(program)": "program", "(root)": "program" };
    groupOf.set(n.id, special[functionName] ?? (url === "" ? "native" : isOwn(url) ? "own code" : "node internals"));
  }
  const sums: Record<SelfGroup, number> = { "own code": 0, "node internals": 0, native: 0, "garbage collector": 0, idle: 0, program: 0 };
  profile.samples.forEach((id, i) => {
    sums[groupOf.get(id) ?? "program"] += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return sums;
}

/**
 * For an unminified esbuild bundle: the source module of a 0-based line, from the `// path`
 * comment esbuild writes above each module's code.
 */
export function moduleIndex(bundleSource: string): (line: number) => string | undefined {
  const starts: { line: number; module: string }[] = [];
  bundleSource.split("\n").forEach((text, line) => {
    const m = /^\/\/ ((?:[\w@.-]+\/)+[\w.-]+\.(?:ts|mts|js|mjs|cjs|json))$/.exec(text);
    if (m) starts.push({ line, module: m[1]! });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * Time per source module of a bundle: self (its own functions' samples) and inclusive (samples
 * with the module anywhere on the stack, once per sample), top `top` of each, in ms.
 * `moduleOf(url, line)` names a bundle frame's module, undefined for frames outside the bundle.
 */
export function byModule(profile: CpuProfile, moduleOf: (url: string, line: number) => string | undefined, top: number): { self: Weighted[]; inclusive: Weighted[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const moduleOfNode = (id: number) => {
    const { url, lineNumber } = byId.get(id)!.callFrame;
    return moduleOf(url, lineNumber);
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const own = moduleOfNode(id);
    if (own) self.set(own, (self.get(own) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const module = moduleOfNode(cur);
      if (!module || seen.has(module)) continue;
      seen.add(module);
      inclusive.set(module, (inclusive.get(module) ?? 0) + us);
    }
  });
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { self: rank(self), inclusive: rank(inclusive) };
}
