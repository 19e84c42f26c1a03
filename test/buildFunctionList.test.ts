// npm run build takes its functions from the intents: an intent added without its function
// (serverless.yml entry, functions/<intent>/index.ts) stops the build, naming it, before
// anything is built or dist/ is touched.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INTENT_NAMES } from "../lib/intents/names";
import { buildFunctions } from "../scripts/build";
import { REPO_ROOT } from "./support/harness";

describe("npm run build and the intents", () => {
  it("fails naming an intent added without its function, and leaves the output folder alone", async () => {
    const out = mkdtempSync(join(tmpdir(), "miniask-dist-"));
    mkdirSync(join(out, "summarize"));
    writeFileSync(join(out, "summarize", "index.mjs"), "// an earlier build");
    await expect(buildFunctions(out, { intents: [...INTENT_NAMES, "translate"] })).rejects.toThrow(/intent "translate" has no function: add inputs\.functions\.translate to serverless\.yml/);
    expect(existsSync(join(out, "summarize", "index.mjs"))).toBe(true);
  });

  it("fails naming each function a stream could outlive, when an environment's stream cap grows", async () => {
    const root = mkdtempSync(join(tmpdir(), "miniask-config-"));
    cpSync(join(REPO_ROOT, "profiles"), join(root, "profiles"), { recursive: true });
    const policy = join(root, "profiles", "env-policy.yaml");
    writeFileSync(policy, readFileSync(policy, "utf8").replace("\n  staging:\n", "\n  staging:\n    model_stream_max_ms: 85000\n"));
    const err = (await buildFunctions(mkdtempSync(join(tmpdir(), "miniask-dist-")), { configRoot: root }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("summarize: timeout 60 s, but in staging a stream may run 85000 ms (model_stream_max_ms)");
    expect(err.message).toContain("support: timeout 60 s, but in staging");
    expect(err.message).not.toContain("in prod");
  });

  it("fails naming a function whose intent is gone", async () => {
    await expect(buildFunctions(mkdtempSync(join(tmpdir(), "miniask-dist-")), { intents: INTENT_NAMES.filter((n) => n !== "support") })).rejects.toThrow('function "support" in serverless.yml serves no intent');
  });
});
