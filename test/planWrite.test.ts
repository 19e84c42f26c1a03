// `npm run plan -- --write` checks every function the traffic names against serverless.yml before
// it writes anything: a trace naming an unknown one is refused by name and the stages file stays
// byte for byte as it was (issue 25, item 10: the next deploy would refuse the written file).
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { unknownFunctions } from "../scripts/burst/knownFunctions";
import { DEFAULT_LATENCY, steadySpikeTrace } from "../scripts/burst/shapes";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);

function checkoutCopy(): string {
  const root = mkdtempSync(join(tmpdir(), "plan-unknown-"));
  cpSync(join(REPO_ROOT, "serverless.yml"), join(root, "serverless.yml"));
  mkdirSync(join(root, "scripts/deploy"), { recursive: true });
  cpSync(join(REPO_ROOT, "scripts/deploy/stages.yml"), join(root, "scripts/deploy/stages.yml"));
  return root;
}

function traceNaming(root: string, fns: readonly string[]): string {
  const trace = steadySpikeTrace({ date: "2026-11-23", days: 1, fromHour: 8.5, toHour: 9.5, steadyConcurrency: 5, spikeConcurrency: 80, spikeHour: 9, spikeMinutes: 5 }, DEFAULT_LATENCY, 4);
  const file = join(root, "trace.csv");
  writeFileSync(file, `time,intent,ms\n${trace.map((r, i) => `${new Date(r.at).toISOString()},${fns[i % fns.length]},${Math.round(r.serviceMs)}`).join("\n")}\n`);
  return file;
}

async function planWrite(root: string, file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/burst/plan.ts", "--trace", file, "--cold-start-ms", "300", "--write", "--root", root, "--stage", "staging"], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("plan --write and functions the manifest does not have", () => {
  it("names the unknown ones only", () => {
    expect(unknownFunctions(["extract", "ghost", "summarize", "Extract"], REPO_ROOT)).toEqual(["ghost", "Extract"]);
    expect(unknownFunctions(["auth", "support", "recommend", "warmup"], REPO_ROOT)).toEqual([]);
  });

  it("refuses a trace naming an unknown function, names it, and writes nothing (not even the known one's schedule)", async () => {
    const root = checkoutCopy();
    const before = readFileSync(join(root, "scripts/deploy/stages.yml"), "utf8");
    const result = await planWrite(root, traceNaming(root, ["extract", "ghost_fn"]));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"ghost_fn"');
    expect(result.stderr).toContain("nothing written");
    expect(result.stdout).not.toContain("updated");
    expect(readFileSync(join(root, "scripts/deploy/stages.yml"), "utf8")).toBe(before);
  }, 90_000);
});
