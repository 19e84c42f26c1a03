// npm run replay, as an operator runs it: a child process reading the audit record from Redis.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTICLE_TEXT, type Harness, REPO_ROOT, startHarness } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const run = promisify(execFile);
const REDIS = "redis://127.0.0.1:6379";

function replay(args: string[], env: Record<string, string>) {
  return run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/replay.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, ...env } }).catch(
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe("npm run replay", () => {
  let h: Harness;
  const prefix = `test:${randomUUID()}:`;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    env = { MINIASK_ENV: "staging", MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix, MINIASK_UPSTREAM_URL: h.upstream.url };
    const res = await h.ask({ intent: "summarize", userId: "u_rp", traceId: "replay-1", input: { text: ARTICLE_TEXT, maxBullets: 3 } });
    expect(res.status).toBe(200);
  });
  afterAll(() => h.close());

  it("reruns a recorded request against another profile and prints both side by side", async () => {
    const before = h.upstream.requests.length;
    const out = (await replay(["replay-1", "--profile", "summarize_v2", "--json"], env)) as { stdout: string };
    const result = JSON.parse(out.stdout) as { traceId: string; recorded: Record<string, unknown>; replay: Record<string, unknown> };
    expect(result.traceId).toBe("replay-1");
    expect(result.recorded).toMatchObject({ profile: "summarize_v1", model: "local-stand-in:hunyuan-turbos-latest", outcome: "ok", tokens: expect.any(Number), ms: expect.any(Number) });
    expect(result.replay).toMatchObject({ profile: "summarize_v2", model: "local-stand-in:hunyuan-turbos-latest", outcome: "ok", tokens: expect.any(Number) });
    expect(String(result.replay.answer).split("\n")).toHaveLength(3);
    // It really ran summarize_v2's prompt against the model.
    const sent = h.upstream.requests.slice(before)[0]?.body.messages as { content: string }[];
    expect(sent[0]?.content).toContain("for a mobile screen");
  });

  it("prints a readable table by default, with the recorded profile when none is given", async () => {
    const out = (await replay(["replay-1"], env)) as { stdout: string };
    expect(out.stdout).toMatch(/^\s+recorded \(replay-1, .+\)\s+replay \(now\)$/m);
    expect(out.stdout).toMatch(/^profile\s+summarize_v1\s+summarize_v1$/m);
    expect(out.stdout).toMatch(/^latency\s+\d+ ms\s+\d+ ms$/m);
    expect(out.stdout).toMatch(/^answer\s+- /m);
  });

  it("prints no terminal control a provider or a user wrote (the table shows each as U+FFFD)", async () => {
    h.upstream.enqueue({ content: "- \u001b[2J\u001b]0;PWNED\u0007cleared\r\u009b31m" });
    const file = join(mkdtempSync(join(tmpdir(), "replay-")), "request.json");
    writeFileSync(file, JSON.stringify({ intent: "summarize", input: { text: `${ARTICLE_TEXT} controls`, maxBullets: 1 } }));
    const out = (await replay([file, "--profile", "summarize_v1"], env)) as { stdout: string };
    expect(out.stdout).toContain("\ufffd[2J\ufffd]0;PWNED\ufffdcleared");
    expect(out.stdout).not.toMatch(/[\u001b\u0007\u009b\r]/);
  });

  it("replays a request file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-")), "request.json");
    writeFileSync(file, JSON.stringify({ intent: "extract", input: { text: "City: Wuhan", fields: ["city"] } }));
    const out = (await replay([file, "--json"], env)) as { stdout: string };
    expect(JSON.parse(out.stdout).replay).toMatchObject({ profile: "extract_v1", answer: { city: "Wuhan" } });
  });

  it("says what to do when the environment keeps no request body (prod)", async () => {
    const prodPrefix = `test:${randomUUID()}:`;
    const prod = await startHarness({ env: "prod", upstream: h.upstream, processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prodPrefix } });
    try {
      await prod.ask({ intent: "summarize", userId: "u_rp", traceId: "replay-prod", input: { text: ARTICLE_TEXT } });
      const err = (await replay(["replay-prod"], { ...env, MINIASK_ENV: "prod", MINIASK_STORE_PREFIX: prodPrefix, MINIASK_TOKEN_KEYS: "k:x-secret-of-at-least-32-bytes-long-aaaa" })) as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toContain("the audit record of replay-prod keeps no request body (prod: audit.keep_request); pass the request as a JSON file instead");
    } finally {
      await prod.close();
    }
  });

  it("finds each user's record when two users sent the same traceId, and asks which one", async () => {
    await h.ask({ intent: "summarize", userId: "u_rp2", traceId: "replay-1", input: { text: `${ARTICLE_TEXT} Again.`, maxBullets: 2 } });
    const err = (await replay(["replay-1", "--json"], env)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    const users = /pick one with --user \(([0-9a-f]{16}), ([0-9a-f]{16})\)/.exec(err.stderr);
    expect(users).not.toBeNull();
    const picked = await Promise.all(users!.slice(1, 3).map(async (user) => JSON.parse(((await replay(["replay-1", "--user", user, "--json"], env)) as { stdout: string }).stdout).recorded.tokens as number));
    // Two different requests: neither record overwrote the other.
    expect(new Set(picked).size).toBe(2);
  });

  it("keeps every request of a user who re-sent its traceId, and replays the one picked with --at", async () => {
    const first = await h.ask({ intent: "summarize", userId: "u_again", traceId: "replay-again", input: { text: ARTICLE_TEXT, maxBullets: 3 } });
    expect(first.status).toBe(200);
    // The same traceId again, a request that fails validation: it must not replace the first record.
    const second = await h.ask({ intent: "summarize", userId: "u_again", traceId: "replay-again", input: { text: "" } });
    expect(second.status).toBe(400);
    const err = (await replay(["replay-again", "--json"], env)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    const times = /2 requests sent traceId replay-again: pick one with --at \(([^,]+), ([^)]+)\)/.exec(err.stderr);
    expect(times).not.toBeNull();
    const picked = await Promise.all(times!.slice(1, 3).map(async (at) => JSON.parse(((await replay(["replay-again", "--at", at, "--json"], env)) as { stdout: string }).stdout).recorded as Record<string, unknown>));
    expect(picked.map((r) => r.outcome)).toEqual(["ok", "invalid_input"]);
    expect(picked[0]!.tokens).toEqual(expect.any(Number));
  });

  it("needs a shared store to replay by traceId", async () => {
    const err = (await replay(["replay-1"], { ...env, MINIASK_STORE: "" })) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain("replay by traceId reads the audit record from a shared store");
  });
});
