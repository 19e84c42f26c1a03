// A store or upstream that cannot be reached is one line on stderr naming which one, where (its
// credentials masked) and what to check, exit 1: never the driver's "max retries per request" or
// "Connection is closed.". The address is a port that was just free on 127.0.0.1: refused at once.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEPLOY_ENV } from "./support/fakeTencentApi";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ["--import", "tsx", file, ...args], { cwd: REPO_ROOT, timeout: 30_000, env: { ...process.env, ...KEYLESS, MINIASK_ENV: "dev", ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
}

describe("an unreachable store or upstream", () => {
  it.each([
    ["report", "scripts/report/report.ts", ["--store"]],
    ["replay", "scripts/replay.ts", ["t-unreachable"]],
  ])("npm run %s (the store): one line, the masked address, what to check, exit 1", async (name, file, args) => {
    const port = await closedPort();
    const { code, stdout, stderr } = await run(file, args, { MINIASK_STORE: `redis://:hunter2@127.0.0.1:${port}` });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(`${name}: cannot reach the redis store at redis://:***@127.0.0.1:${port} (MINIASK_STORE): check that Redis is running there and that MINIASK_STORE's host, port, password and db are right\n`);
  }, 30_000);

  it("npm run replay (MINIASK_UPSTREAM_URL): one line before any model request, exit 1", async () => {
    const port = await closedPort();
    const file = join(mkdtempSync(join(tmpdir(), "replay-unreachable-")), "request.json");
    writeFileSync(file, JSON.stringify({ intent: "extract", input: { text: "order A-1 to Beijing", fields: ["order", "city"] } }));
    const { code, stdout, stderr } = await run("scripts/replay.ts", [file], { MINIASK_UPSTREAM_URL: `http://127.0.0.1:${port}/v1` });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(new RegExp(`^replay: cannot reach the upstream at http://127\\.0\\.0\\.1:${port}/v1 \\(MINIASK_UPSTREAM_URL; ECONNREFUSED\\): check that the OpenAI-compatible server is running there`));
    expect(stderr.trim().split("\n")).toHaveLength(1);
  }, 30_000);

  it("npm run report --cls (the log service): one line, the endpoint and the reason, what to check, exit 1", async () => {
    const port = await closedPort();
    const cls = { TENCENTCLOUD_SECRET_ID: "AKIDtest", TENCENTCLOUD_SECRET_KEY: "test-key", MINIASK_CLS_TOPIC_ID: "topic-1", MINIASK_CLS_REGION: "ap-guangzhou", MINIASK_CLS_ENDPOINT: `http://127.0.0.1:${port}` };
    const { code, stdout, stderr } = await run("scripts/report/report.ts", ["--cls", "--day", "2026-11-24"], cls);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(`report: cannot reach CLS at http://127.0.0.1:${port} (ECONNREFUSED): check this machine's network and MINIASK_CLS_REGION (and MINIASK_CLS_ENDPOINT when it is set)\n`);
  }, 30_000);

  it("npm run deploy (the SCF API): one line, the endpoint and the reason, what to check, exit 1, before anything is built", async () => {
    const port = await closedPort();
    const env = { ...DEPLOY_ENV, TENCENTCLOUD_SECRET_ID: "AKIDtest", TENCENTCLOUD_SECRET_KEY: "test-key", MINIASK_SCF_ENDPOINT: `http://127.0.0.1:${port}` };
    // Refused before the build and before dist/ is read.
    const { code, stderr } = await run("scripts/deploy.ts", ["--stage", "staging", "--dry-run"], env);
    expect(code).toBe(1);
    expect(stderr).toBe(`deploy: cannot reach the SCF API at http://127.0.0.1:${port} (ECONNREFUSED): check this machine's network (and MINIASK_SCF_ENDPOINT when it is set); nothing after the last step printed was changed\n`);
  }, 30_000);

  it("npm run eval (MINIASK_UPSTREAM_URL): one line, the masked address and the reason, exit 1 before any case runs", async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await run("scripts/eval.ts", ["--intent", "extract", "--profiles", "extract_v1"], { MINIASK_UPSTREAM_URL: `http://key:sk-secret@127.0.0.1:${port}/v1` });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(
      `eval: cannot reach the upstream at http://key:***@127.0.0.1:${port}/v1 (MINIASK_UPSTREAM_URL; ECONNREFUSED): check that the OpenAI-compatible server is running there and that the URL is right (the base URL, before /chat/completions), or unset it to use the provider keys\n`,
    );
  }, 30_000);
});
