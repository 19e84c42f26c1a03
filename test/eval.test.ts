// npm run eval as a person runs it, against the local upstream.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { failedChecks } from "../lib/eval/checks";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const run = promisify(execFile);
let upstream: LocalUpstream;
beforeAll(async () => {
  upstream = await startLocalUpstream();
});
afterAll(() => upstream.close());

function evalCli(args: string[], env: Record<string, string> = {}) {
  return run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/eval.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe("npm run eval", () => {
  it("prints the side-by-side table and exits 0 when the candidate is not worse", async () => {
    const { code, stdout } = await evalCli(["--intent", "summarize", "--profiles", "summarize_v1,summarize_v2"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^profile\s+cases\s+passed\s+pass rate\s+p50 ms\s+p95 ms\s+tokens\s+est\. cost \(CNY\)$/m);
    expect(stdout).toMatch(/^summarize_v1\s+4\s+4\s+100\.0%\s+\d+\s+\d+\s+\d+\s+0\.\d{6}$/m);
    expect(stdout).toMatch(/^summarize_v2\s+4\s+4\s+100\.0%/m);
    expect(stdout).toContain("summarize_v2 vs baseline summarize_v1: pass rate 100.0% vs 100.0%: not worse");
  });

  it("exits 1 when the candidate passes fewer cases, and says which failed", async () => {
    // A copy of profiles/ where v2 answers from the strong model, which answers badly here.
    const root = mkdtempSync(join(tmpdir(), "eval-"));
    cpSync(join(REPO_ROOT, "profiles"), join(root, "profiles"), { recursive: true });
    const file = join(root, "profiles/mini-program-profiles.yaml");
    const doc = parse(readFileSync(file, "utf8")) as { profiles: Record<string, { model: string; refine?: string }> };
    doc.profiles.summarize_v2!.model = "strong";
    delete doc.profiles.summarize_v2!.refine;
    writeFileSync(file, stringify(doc));
    upstream.setModelFault("deepseek-chat", { content: "- I would rather not summarize this." });
    try {
      const { code, stdout } = await evalCli(["--intent", "summarize", "--profiles", "summarize_v1,summarize_v2"], { MINIASK_CONFIG_ROOT: root });
      expect(code).toBe(1);
      expect(stdout).toMatch(/^summarize_v2\s+4\s+0\s+0\.0%/m);
      expect(stdout).toContain('summarize_v2 / article: min_bullets 2 (got 1); required "thin client"');
      expect(stdout).toContain("summarize_v2 vs baseline summarize_v1: pass rate 0.0% vs 100.0%: WORSE");
    } finally {
      upstream.setModelFault("deepseek-chat", undefined);
    }
  });

  it("checks JSON schema validity for extract", async () => {
    const { code, stdout } = await evalCli(["--intent", "extract", "--profiles", "extract_v1", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ intent: "extract", summaries: [{ profile: "extract_v1", passed: 2, passRate: 1, failures: [] }], worse: [] });
  });

  it("refuses a profile of another intent", async () => {
    const { code, stderr } = await evalCli(["--intent", "summarize", "--profiles", "summarize_v1,support_v1"]);
    expect(code).toBe(2);
    expect(stderr).toContain('"support_v1" is not a profile of intent summarize');
  });
});

describe("failedChecks", () => {
  const ok = (answer: unknown, ms = 10, totalTokens = 100) => ({ profile: "p", ok: true, answer, ms, usage: { promptTokens: 50, completionTokens: 50, totalTokens } });
  it("names each failed check", () => {
    expect(failedChecks({ min_bullets: 2, max_bullets: 3 }, ok("- a"), {})).toEqual(["min_bullets 2 (got 1)"]);
    expect(failedChecks({ max_bullets: 1, forbidden_terms: ["as an ai"] }, ok("- As an AI\n- b"), {})).toEqual(["max_bullets 1 (got 2)", 'forbidden "as an ai"']);
    expect(failedChecks({ json_schema_valid: true }, ok({ city: "x", extra: 1 }), { fields: ["city"] })).toEqual(["json_schema_valid"]);
    expect(failedChecks({ json_schema_valid: true, expect_fields: { city: "x" } }, ok({ city: "x" }), { fields: ["city"] })).toEqual([]);
    expect(failedChecks({ max_latency_ms: 5, max_tokens: 50 }, ok("- a", 9, 80), {})).toEqual(["max_latency_ms 5 (took 9)", "max_tokens 50 (used 80)"]);
    expect(failedChecks({}, { profile: "p", ok: false, code: "model_unavailable", ms: 1 }, {})).toEqual(["answered (model_unavailable)"]);
  });
});
