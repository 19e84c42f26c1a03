// A function that cannot start says why once, on stderr, and exits non-zero: no stack trace and
// no source line in the function's log.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

function startFunction(entry: string, env: Record<string, string>) {
  return spawnSync(`${REPO_ROOT}node_modules/.bin/tsx`, [entry], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, PORT: "0", ...env }, encoding: "utf8", timeout: 20_000 });
}

describe("functionEntry", () => {
  it("prints every start-up problem once and exits 1, without a stack", () => {
    const run = startFunction("functions/summarize/index.ts", { MINIASK_ENV: "prod" });
    expect(run.status).toBe(1);
    expect(run.stderr.match(/miniask summarize:/g)).toHaveLength(1);
    expect(run.stderr).toContain("MINIASK_TOKEN_KEYS");
    expect(run.stderr).toContain("HUNYUAN_API_KEY");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/\.ts:\d+|\.mjs:\d+|node:internal/);
    expect(run.stdout).toBe("");
  });
});
