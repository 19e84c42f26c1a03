// The profile summary behind `npm run bench:profile`: self and inclusive time from V8's format.
import { describe, expect, it } from "vitest";
import { type CpuProfile, heaviest } from "../scripts/bench/cpuProfile";

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
