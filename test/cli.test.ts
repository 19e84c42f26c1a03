// Every npm script explains itself: `--help` prints its usage on stdout and exits 0, an unknown
// flag exits non-zero with the mistake and the usage on stderr. The table is package.json's own
// scripts (a new script is in it the day it is added). Each runs as `npm run X -- ...` runs it
// (`tsx <file>`, here `node --import tsx <file>`: one process), with a store that cannot be
// reached and no provider key: --help connects to nothing and builds nothing.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
// test and typecheck run tsc and vitest, not a script of ours.
const OURS = Object.entries(scripts).filter(([, command]) => command.startsWith("tsx scripts/"));

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ["--import", "tsx", file, ...args], { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, ...KEYLESS, MINIASK_STORE: "redis://127.0.0.1:1", CI: "true" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
}

describe("every npm script's command line", () => {
  it("covers every script of package.json that runs a file of scripts/", () => {
    expect(OURS.map(([name]) => name).sort()).toEqual(["bench", "bench:profile", "build", "build:miniprogram", "burst", "capacity", "deploy", "eval", "mutate", "plan", "replay", "report", "start", "token"]);
  });

  it.concurrent.each(OURS)("npm run %s -- --help: the usage on stdout, exit 0", async (name, command) => {
    const { code, stdout, stderr } = await run(command.slice("tsx ".length), ["--help"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(new RegExp(`^usage: npm (run )?${name} --`));
    expect(stdout).toMatch(/^ {2}-h, --help +print this usage and exit$/m);
  }, 60_000);

  it.concurrent.each(OURS)("npm run %s -- --no-such-flag: the mistake and the usage on stderr, exit 2", async (name, command) => {
    const { code, stdout, stderr } = await run(command.slice("tsx ".length), ["--no-such-flag"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n").slice(0, 2)).toEqual([`${name}: unknown option "--no-such-flag"`, expect.stringMatching(new RegExp(`^usage: npm (run )?${name} --`))]);
  }, 60_000);

  // The scripts that cannot run without an argument, run without it.
  it.concurrent.each([
    { name: "eval", file: "scripts/eval.ts", args: [], message: "--intent is required" },
    { name: "eval", file: "scripts/eval.ts", args: ["--intent", "support"], message: "--profiles is required" },
    { name: "deploy", file: "scripts/deploy.ts", args: [], message: "--stage is required" },
    { name: "deploy", file: "scripts/deploy.ts", args: ["--stage", "prod", "--canary"], message: "--canary needs a value" },
    { name: "token", file: "scripts/token.ts", args: [], message: "missing <userId>" },
    { name: "replay", file: "scripts/replay.ts", args: [], message: "missing <traceId | request.json>" },
    { name: "plan", file: "scripts/burst/plan.ts", args: [], message: "give the traffic: --from cls (the log service's audit lines), --from audit (the store's audit records), --trace FILE or --shape 9am" },
  ])("npm run $name -- $args: names what is missing, with the usage, exit 2", async ({ name, file, args, message }) => {
    const { code, stdout, stderr } = await run(file, args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr.split("\n").slice(0, 2)).toEqual([`${name}: ${message}`, expect.stringMatching(new RegExp(`^usage: npm run ${name} --`))]);
  }, 60_000);
});
