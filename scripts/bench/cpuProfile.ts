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

type CallFrame = CpuProfile["nodes"][number]["callFrame"];

/**
 * Self time under `selfKey` of the sampled frame, inclusive time under `stackKey` of each frame
 * on its stack (once per sample, so recursion counts once); a key of undefined is not counted.
 */
function tally(profile: CpuProfile, selfKey: (frame: CallFrame) => string | undefined, stackKey: (frame: CallFrame) => string | undefined, top: number): { totalMs: number; self: Weighted[]; inclusive: Weighted[] } {
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
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
    const own = selfKey(frameOf.get(id)!);
    if (own !== undefined) self.set(own, (self.get(own) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const key = stackKey(frameOf.get(cur)!);
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: total / 1000, self: rank(self), inclusive: rank(inclusive) };
}

/** Self time over every function, inclusive time over the profiled bundle's own (index.mjs) frames. */
export function heaviest(profile: CpuProfile, top: number): { totalMs: number; self: Weighted[]; inclusive: Weighted[] } {
  const nameOf = (frame: CallFrame) => {
    const where = frame.url === "" ? "" : ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;
    return `${frame.functionName || "(anonymous)"}${where}`;
  };
  return tally(profile, nameOf, (frame) => (frame.url.endsWith("index.mjs") ? nameOf(frame) : undefined), top);
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
  const moduleOfFrame = (frame: CallFrame) => moduleOf(frame.url, frame.lineNumber);
  const { self, inclusive } = tally(profile, moduleOfFrame, moduleOfFrame, top);
  return { self, inclusive };
}
