// Every SCF call is typed with the SDK's models: renaming a field to one the SDK lacks must fail
// tsc. This copies lib/deploy to a scratch folder, renames fields in the real sources (request
// fields the API does not take, response fields it does not return), runs tsc, and expects an
// error on each renamed line, and none in an unchanged copy. If the calls went back to an
// untyped `request(action, any)`, the renamed copy would compile and this test would fail.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);
const DEPLOY_DIR = join(REPO_ROOT, "lib/deploy");
// Inside the repo's node_modules so the SDK and @types/node resolve; never tracked by git.
const SCRATCH = join(REPO_ROOT, "node_modules/.cache", `miniask-deploy-types-${randomUUID()}`);

interface Rename {
  file: string;
  from: string;
  to: string;
  why: string;
}

const RENAMES: Rename[] = [
  { file: "provisioned.ts", from: "MinCapacity: p.min", to: "MinimumCapacity: p.min", why: "a PutProvisionedConcurrencyConfig field the SDK lacks" },
  { file: "provisioned.ts", from: "info.AllocatedProvisionedConcurrencyNum === p.count", to: "info.VersionProvisionedConcurrencyNum === p.count", why: "a field VersionProvisionedConcurrencyInfo does not have" },
  { file: "functionSettings.ts", from: "    MemorySize: fn.memorySize,", to: "    Memory: fn.memorySize,", why: "an UpdateFunctionConfiguration field the SDK lacks" },
  { file: "triggers.ts", from: "TriggerDesc: JSON.stringify(desc)", to: "TriggerDescription: JSON.stringify(desc)", why: "a CreateTrigger field the SDK lacks" },
  { file: "aliasRouting.ts", from: "RoutingConfig: { AdditionalVersionWeights: routing }", to: "RoutingConfig: { AdditionalVersionWeight: routing }", why: "a RoutingConfig field the SDK lacks" },
  { file: "functionVersion.ts", from: "v.Description === describeHash(hash)", to: "v.Desc === describeHash(hash)", why: "a field FunctionVersion (ListVersionByFunction) does not have" },
];

/** lib/deploy copied to `dir`, imports outside it pointed back at the repo, `renames` applied. */
function copyDeploy(dir: string, renames: readonly Rename[]): Map<string, number[]> {
  const target = join(dir, "lib/deploy");
  mkdirSync(target, { recursive: true });
  const lines = new Map<string, number[]>();
  for (const file of readdirSync(DEPLOY_DIR).filter((f) => f.endsWith(".ts"))) {
    let text = readFileSync(join(DEPLOY_DIR, file), "utf8").replace(/from "\.\.\/([\w/]+)"/g, (_m, path: string) => `from "${join(REPO_ROOT, "lib", path)}"`);
    for (const r of renames.filter((x) => x.file === file)) {
      const at = text.indexOf(r.from);
      if (at < 0) throw new Error(`${file} no longer contains "${r.from}": update this test's renames`);
      lines.set(file, [...(lines.get(file) ?? []), text.slice(0, at).split("\n").length]);
      text = text.slice(0, at) + r.to + text.slice(at + r.from.length);
    }
    writeFileSync(join(target, file), text);
  }
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(REPO_ROOT, "tsconfig.json"), include: ["lib/deploy/*.ts"] }));
  return lines;
}

/** tsc's errors located in the copied lib/deploy files, as "file:line". */
async function deployErrors(dir: string): Promise<string[]> {
  const result = await run(join(REPO_ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", join(dir, "tsconfig.json")], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
  return [...result.stdout.matchAll(/lib\/deploy\/([\w.]+)\((\d+),\d+\): error TS\d+/g)].map(([, file, line]) => `${file}:${line}`);
}

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

describe("SCF calls are checked by tsc against the SDK's models", () => {
  it("compiles as it is, and fails on every field renamed to one the SDK lacks", async () => {
    copyDeploy(join(SCRATCH, "as-is"), []);
    const renamedLines = copyDeploy(join(SCRATCH, "renamed"), RENAMES);
    const [asIs, renamed] = await Promise.all([deployErrors(join(SCRATCH, "as-is")), deployErrors(join(SCRATCH, "renamed"))]);
    expect(asIs).toEqual([]);
    const expected = [...renamedLines].flatMap(([file, lines]) => lines.map((line) => `${file}:${line}`));
    for (const where of expected) expect(renamed, `no tsc error at ${where}`).toContain(where);
    expect(renamed.filter((where) => !expected.includes(where))).toEqual([]);
  }, 120_000);
});
