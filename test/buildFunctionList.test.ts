// npm run build takes its functions from the intents: an intent added without its function
// (serverless.yml entry, functions/<intent>/index.ts) stops the build, naming it, before
// anything is built or dist/ is touched.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INTENT_NAMES } from "../lib/intents/names";
import { buildFunctions } from "../scripts/build";

describe("npm run build and the intents", () => {
  it("fails naming an intent added without its function, and leaves the output folder alone", async () => {
    const out = mkdtempSync(join(tmpdir(), "miniask-dist-"));
    mkdirSync(join(out, "summarize"));
    writeFileSync(join(out, "summarize", "index.mjs"), "// an earlier build");
    await expect(buildFunctions(out, { intents: [...INTENT_NAMES, "translate"] })).rejects.toThrow(/intent "translate" has no function: add inputs\.functions\.translate to serverless\.yml/);
    expect(existsSync(join(out, "summarize", "index.mjs"))).toBe(true);
  });

  it("fails naming a function whose intent is gone", async () => {
    await expect(buildFunctions(mkdtempSync(join(tmpdir(), "miniask-dist-")), { intents: INTENT_NAMES.filter((n) => n !== "support") })).rejects.toThrow('function "support" in serverless.yml serves no intent');
  });
});
