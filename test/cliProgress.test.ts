// The progress line of long runs (scripts/support/progress.ts): on a TTY only, never in CI or
// when asked to be quiet, rewritten in place and cleared at the end.
import { describe, expect, it } from "vitest";
import { createProgress, showsProgress } from "../scripts/support/progress";

function terminal(isTTY: boolean, columns = 80) {
  const written: string[] = [];
  return { stream: { isTTY, columns, write: (text: string) => written.push(text) }, written };
}

describe("progress", () => {
  it("draws label count/total unit and the step on one line rewritten in place, and clears it when done", () => {
    const { stream, written } = terminal(true);
    const progress = createProgress("eval", 3, "cases", { stream, env: {} });
    progress.tick("summarize_v1");
    progress.status("summarize_v2");
    progress.tick();
    progress.done();
    expect(written).toEqual(["\r\x1b[2Keval 0/3 cases", "\r\x1b[2Keval 1/3 cases: summarize_v1", "\r\x1b[2Keval 1/3 cases: summarize_v2", "\r\x1b[2Keval 2/3 cases", "\r\x1b[2K"]);
  });

  it("never counts past the total, and cuts a line wider than the terminal", () => {
    const { stream, written } = terminal(true, 20);
    const progress = createProgress("bench", 1, "steps", { stream, env: {} });
    progress.tick();
    progress.tick("a step with a long description");
    expect(written.at(-1)).toBe("\r\x1b[2Kbench 1/1 steps: a…");
  });

  it("shows the label and the step only when there is no total", () => {
    const { stream, written } = terminal(true);
    const progress = createProgress("burst", 0, "steps", { stream, env: {} });
    progress.status("simulating");
    expect(written).toEqual(["\r\x1b[2Kburst", "\r\x1b[2Kburst: simulating"]);
  });

  it("writes nothing when stderr is not a TTY, in CI, or when quiet (--json)", () => {
    for (const [isTTY, env, quiet] of [
      [false, {}, false],
      [true, { CI: "true" }, false],
      [true, { CI: "1" }, false],
      [true, {}, true],
    ] as const) {
      const { stream, written } = terminal(isTTY);
      expect(showsProgress({ stream, env, quiet })).toBe(false);
      const progress = createProgress("eval", 2, "cases", { stream, env, quiet });
      progress.tick("x");
      progress.status("y");
      progress.done();
      expect(written).toEqual([]);
    }
  });

  it("shows progress on a TTY when CI is unset, empty or false", () => {
    for (const env of [{}, { CI: "" }, { CI: "false" }]) expect(showsProgress({ stream: terminal(true).stream, env })).toBe(true);
  });
});
