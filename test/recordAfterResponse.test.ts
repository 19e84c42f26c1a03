// Nothing that matters depends on a web function running after its response: SCF promises a
// web function nothing once it has answered (an event function freezes when it returns), and
// CloudBase's SSE doc says the instance stops with the connection. So a function process is
// frozen with SIGSTOP the moment its answer arrives: its audit record and quota are already in
// the (real) Redis, and another process computes the refinement on POST /v1/mini/refine.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { ARTICLE_TEXT, type Harness, REPO_ROOT, startHarness } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const REDIS = "redis://127.0.0.1:6379";

/** functions/summarize run as scf_bootstrap runs it (a web function on $PORT), on the real Redis. */
function startFunction(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(`${REPO_ROOT}node_modules/.bin/tsx`, ["functions/summarize/index.ts"], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, PORT: "0", ...env } });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const port = /"msg":"listening".*?"port":(\d+)/.exec(output) ?? /"port":(\d+).*?"msg":"listening"/.exec(output);
      if (port) resolve({ child, port: Number(port[1]) });
    });
    child.on("exit", (code) => reject(new Error(`the function exited (${code}): ${output}`)));
  });
}

describe("a web function frozen right after its response", () => {
  const redis = createRedisStore(REDIS);
  const prefix = `test:${randomUUID()}:`;
  const env = { MINIASK_ENV: "dev", MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix, MINIASK_STORE_TIMEOUT_MS: "2000" };
  let upstream: LocalUpstream;
  let fn: { child: ChildProcess; port: number };
  let other: Harness;
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    // The strong model (summarize_v2's refinement) takes 2 s.
    upstream.setModelFault("deepseek-chat", { delayMs: 2000 });
    fn = await startFunction({ ...env, MINIASK_UPSTREAM_URL: upstream.url });
    other = await startHarness({ env: "dev", upstream, processEnv: env });
  }, 30_000);
  afterAll(async () => {
    fn.child.kill("SIGCONT");
    fn.child.kill("SIGKILL");
    await other.close();
    await upstream.close();
    await redis.close();
  });

  it("has its audit record and quota in the store, and another process serves the refinement", async () => {
    const { token } = await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_frozen", 600);
    const traceId = `t-frozen-${randomUUID().slice(0, 8)}`;
    const res = await fetch(`http://127.0.0.1:${fn.port}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_frozen", traceId, input: { text: ARTICLE_TEXT, maxBullets: 3 } }),
    });
    // Frozen the moment the answer is here: what it has not done by now, it never does.
    fn.child.kill("SIGSTOP");
    const fast = (await res.json()) as { usage: { totalTokens: number }; refine?: { id: string }; model: string };
    expect(res.status, JSON.stringify(fast)).toBe(200);
    expect(fast).toMatchObject({ model: "local-stand-in:hunyuan-turbos-latest", refine: { id: traceId } });

    const audits = await redis.keys(storeKeys.auditsOfTrace(prefix, traceId), 5);
    expect(audits).toHaveLength(1);
    expect(JSON.parse((await redis.get(audits[0]!))!)).toMatchObject({ traceId, status: 200, outcome: "ok", usage: fast.usage });
    // The quota holds the real usage (the admission's reservation settled).
    expect(Number(await redis.get(storeKeys.quota(prefix, "u_frozen", Date.now())))).toBe(fast.usage.totalTokens);

    const refined = await fetch(`${other.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ traceId }) });
    expect(refined.status).toBe(200);
    const body = (await refined.json()) as { usage: { totalTokens: number }; model: string; refined: boolean };
    expect(body).toMatchObject({ refined: true, model: "local-stand-in:deepseek-chat", traceId });
    // The frozen function never started the strong model: it was called once, by /refine.
    expect(upstream.requests.filter((r) => r.traceId === traceId).map((r) => r.body.model)).toEqual(["hunyuan-turbos-latest", "deepseek-chat"]);
    // The refinement is charged to the same day's quota, by the process that computed it.
    expect(Number(await redis.get(storeKeys.quota(prefix, "u_frozen", Date.now())))).toBe(fast.usage.totalTokens + body.usage.totalTokens);
  }, 30_000);
});
