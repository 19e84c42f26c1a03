// `npm start` as a user runs it: a child process, its start-up lines, then real requests.
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { startFakeSsm } from "./support/fakeSsm";
import { ARTICLE_TEXT, REPO_ROOT } from "./support/harness";
import { KEYLESS, spawnServer } from "./support/spawnServer";

const children: ChildProcess[] = [];
let upstream: LocalUpstream | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await upstream?.close();
  upstream = undefined;
});

async function start(env: Record<string, string>): Promise<{ output: string; port?: number; code?: number | null }> {
  const spawned = await spawnServer(env);
  children.push(spawned.child);
  return spawned;
}

async function devToken(): Promise<string> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) =>
    execFile(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/token.ts", "u_123"], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, MINIASK_ENV: "dev" } }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim().split("\n").at(-1)!),
    ),
  );
}

describe("npm start", () => {
  it("with no provider key, starts the local stand-in upstream, says so, and answers the article's request", async () => {
    const { output, port } = await start({ MINIASK_ENV: "dev" });
    expect(output).toContain("LOCAL STAND-IN UPSTREAM");
    expect(output).toContain("no provider key is set (HUNYUAN_API_KEY, DEEPSEEK_API_KEY, DASHSCOPE_API_KEY)");
    expect(output).toContain('tokens: the built-in DEV key "dev-builtin"');
    const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await devToken()}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_123", traceId: "1732412345678", input: { text: ARTICLE_TEXT, maxBullets: 6 } }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { answer: string; model: string };
    expect(json.answer.split("\n").length).toBeLessThanOrEqual(6);
    expect(json.model).toContain("local");
  });

  it("with MINIASK_UPSTREAM_URL, sends every provider there and says so", async () => {
    upstream = await startLocalUpstream();
    const { output, port } = await start({ MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "gw-secret-key" });
    expect(output).toContain(`upstream: every provider points at MINIASK_UPSTREAM_URL=${upstream.url}`);
    expect(output).not.toContain("LOCAL STAND-IN");
    expect(output).not.toContain("gw-secret-key");
    const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await devToken()}` },
      body: JSON.stringify({ intent: "support", userId: "u_123", input: { question: "Why was I charged twice this month?" } }),
    });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.authorization).toBe("Bearer gw-secret-key");
  });

  it("prints no credential of a URL setting: not the upstream's password, not the store's", async () => {
    upstream = await startLocalUpstream();
    const relayUrl = upstream.url.replace("http://", "http://relay:up-pass-99@");
    const { output, port } = await start({ MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: relayUrl });
    expect(port).toBeGreaterThan(0);
    expect(output).toContain(`MINIASK_UPSTREAM_URL=${upstream.url.replace("http://", "http://relay:***@")}`);
    expect(output).not.toContain("up-pass-99");
    const failed = await start({ MINIASK_ENV: "dev", MINIASK_STORE: "redis://:store-pass-42@127.0.0.1:1" });
    expect(failed.code).toBe(1);
    expect(failed.output).toContain("redis://:***@127.0.0.1:1 (MINIASK_STORE)");
    expect(failed.output).not.toContain("store-pass-42");
  });

  it("reads ssm: variables as a function does (here from the SSM double), says which, and prints no value", async () => {
    const ssm = await startFakeSsm({ secrets: { "miniask-dev-upstream-key": { SSM_Current: "sk-from-ssm-55555555" } } });
    upstream = await startLocalUpstream();
    try {
      const { output, port } = await start({ MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "ssm:miniask-dev-upstream-key", ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint });
      expect(output).toContain("secrets from SSM: MINIASK_UPSTREAM_KEY");
      expect(output).not.toContain("sk-from-ssm-55555555");
      const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await devToken()}` },
        body: JSON.stringify({ intent: "support", userId: "u_123", input: { question: "Can I get an invoice for last month?" } }),
      });
      expect(res.status).toBe(200);
      expect(upstream.requests.at(-1)?.authorization).toBe("Bearer sk-from-ssm-55555555");
    } finally {
      await ssm.close();
    }
  });

  it("in prod without provider keys or WeChat settings, stops at start naming every variable at once", async () => {
    const { output, code } = await start({ MINIASK_ENV: "prod", MINIASK_TOKEN_KEYS: "k:prod-secret-of-at-least-32-bytes-long-xx" });
    expect(code).toBe(1);
    expect(output).toContain("prod needs the environment variable HUNYUAN_API_KEY");
    expect(output).toContain("DASHSCOPE_API_KEY");
    expect(output).toContain("environment variable WECHAT_APPID: required in prod");
    expect(output).toContain("environment variable MINIASK_USER_ID_SALT: required in prod");
  });

  it("in staging without MINIASK_TOKEN_KEYS, stops at start", async () => {
    const { output, code } = await start({ MINIASK_ENV: "staging", MINIASK_UPSTREAM_URL: "http://127.0.0.1:1/v1" });
    expect(code).toBe(1);
    expect(output).toContain("MINIASK_TOKEN_KEYS: required in staging");
  });

  it("with an unreachable store, stops at start: one line saying which, where and what to check", async () => {
    const { output, code } = await start({ MINIASK_ENV: "dev", MINIASK_STORE: "redis://127.0.0.1:1" });
    expect(code).toBe(1);
    expect(output.trim()).toBe("start: cannot reach the redis store at redis://127.0.0.1:1 (MINIASK_STORE): check that Redis is running there and that MINIASK_STORE's host, port, password and db are right; or unset MINIASK_STORE for the in-memory store");
  });

  it("with a bad MINIASK_STORE, stops at start saying what it accepts", async () => {
    const { output, code } = await start({ MINIASK_ENV: "dev", MINIASK_STORE: "memcached://x" });
    expect(code).toBe(1);
    expect(output).toContain("MINIASK_STORE: expected memory, upstash or redis://host:port[/db]");
  });

  it("with a bad MINIASK_ENV, stops at start saying what it accepts", async () => {
    const { output, code } = await start({ MINIASK_ENV: "production" });
    expect(code).toBe(1);
    expect(output).toContain('MINIASK_ENV: expected one of "dev", "staging", "prod"');
  });
});
