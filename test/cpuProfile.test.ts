// The profile summary behind `npm run bench:profile`: self and inclusive time from V8's format.
import { describe, expect, it } from "vitest";
import { type CpuProfile, byModule, heaviest, moduleIndex, selfByGroup } from "../scripts/bench/cpuProfile";

const frame = (functionName: string, url = "file:///x/index.mjs", lineNumber = 0) => ({ functionName, url, lineNumber });

// root -> ask -> callModel -> (native) writev ; ask -> ask (recursion) ; root -> (garbage collector)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 6] },
    { id: 2, callFrame: frame("ask", "file:///x/index.mjs", 9), children: [3, 5] },
    { id: 3, callFrame: frame("callModel", "file:///x/index.mjs", 19), children: [4] },
    { id: 4, callFrame: frame("writev", "") },
    { id: 5, callFrame: frame("ask", "file:///x/index.mjs", 9) },
    { id: 6, callFrame: frame("(garbage collector)", "") },
  ],
  samples: [4, 4, 3, 5, 2, 6],
  timeDeltas: [1000, 1000, 2000, 500, 500, 3000],
};

describe("heaviest", () => {
  const { totalMs, self, inclusive } = heaviest(profile, 10);

  it("sums every sample into the total", () => {
    expect(totalMs).toBe(8);
  });

  it("ranks self time per function, merging the same function at two places in the tree", () => {
    expect(self).toEqual([
      { name: "(garbage collector)", ms: 3 },
      { name: "writev", ms: 2 },
      { name: "callModel x/index.mjs:20", ms: 2 },
      { name: "ask x/index.mjs:10", ms: 1 },
    ]);
  });

  it("gives bundle frames their callees' time, counting a recursive frame once per sample", () => {
    expect(inclusive).toEqual([
      { name: "ask x/index.mjs:10", ms: 5 },
      { name: "callModel x/index.mjs:20", ms: 4 },
    ]);
  });
});

describe("selfByGroup", () => {
  it("sums self time by where it ran: own code, Node's JavaScript, native, GC, idle, program", () => {
    const grouped: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 5, 6] },
        { id: 2, callFrame: frame("ask", "file:///x/index.mjs"), children: [3] },
        { id: 3, callFrame: frame("end", "node:_http_outgoing"), children: [4] },
        { id: 4, callFrame: frame("writev", "") },
        { id: 5, callFrame: frame("(garbage collector)", "") },
        { id: 6, callFrame: frame("(idle)", "") },
        { id: 7, callFrame: frame("(program)", "") },
      ],
      samples: [2, 3, 4, 4, 5, 6, 7, 1],
      timeDeltas: [1000, 2000, 500, 500, 3000, 4000, 250, 250],
    };
    expect(selfByGroup(grouped, (url) => url.endsWith("index.mjs"))).toEqual({ "own code": 1, "node internals": 2, native: 1, "garbage collector": 3, idle: 4, program: 0.5 });
  });
});

describe("moduleIndex and byModule", () => {
  // Lines (0-based): 0 banner, 1 "// lib/a.ts", 2-3 its code, 4 "// @__NO_SIDE_EFFECTS__" (not a module), 5 "// node_modules/zod/x.js", 6 code.
  const source = ["import x from 'y';", "// lib/a.ts", "function ask() {", "}", "// @__NO_SIDE_EFFECTS__", "// node_modules/zod/x.js", "function parse() {}"].join("\n");
  const moduleAt = moduleIndex(source);

  it("names the module a bundle line belongs to, from esbuild's path comments", () => {
    expect([0, 1, 2, 4, 6].map(moduleAt)).toEqual([undefined, "lib/a.ts", "lib/a.ts", "lib/a.ts", "node_modules/zod/x.js"]);
  });

  it("sums self and inclusive time per module, a module once per sample however deep it recurs", () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2] },
        { id: 2, callFrame: frame("ask", "file:///x/index.mjs", 2), children: [3, 5] },
        { id: 3, callFrame: frame("parse", "file:///x/index.mjs", 6), children: [4] },
        { id: 4, callFrame: frame("ask", "file:///x/index.mjs", 2) },
        { id: 5, callFrame: frame("writev", "") },
      ],
      samples: [2, 3, 4, 5],
      timeDeltas: [1000, 2000, 3000, 4000],
    };
    const result = byModule(p, (url, line) => (url.endsWith("index.mjs") ? moduleAt(line) : undefined), 10);
    expect(result.self).toEqual([
      { name: "lib/a.ts", ms: 4 },
      { name: "node_modules/zod/x.js", ms: 2 },
    ]);
    expect(result.inclusive).toEqual([
      { name: "lib/a.ts", ms: 10 },
      { name: "node_modules/zod/x.js", ms: 5 },
    ]);
  });
});
