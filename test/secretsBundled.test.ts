// The built web function (what scf_bootstrap runs) reads its ssm: secrets: the SDK reaches it
// through esbuild's CommonJS interop (a dynamic import sees module.exports as `default`), which
// tsx-run tests never exercise; and the SDK stays out of the entry a cold start loads.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { buildFunctions } from "../scripts/build";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { type FakeSsm, startFakeSsm } from "./support/fakeSsm";
import { ARTICLE_TEXT } from "./support/harness";

const TOKEN_KEYS = "k1:bundled-token-secret-of-at-least-32-bytes-xx";
const UPSTREAM_KEY = "sk-bundled-upstream-key-4444444";

let out: string;
let ssm: FakeSsm;
let upstream: LocalUpstream;
let child: ChildProcess | undefined;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "miniask-ssm-dist-"));
  await buildFunctions(out);
  ssm = await startFakeSsm({ secrets: { "miniask-token-keys": { SSM_Current: TOKEN_KEYS }, "miniask-upstream-key": { SSM_Current: UPSTREAM_KEY } } });
  upstream = await startLocalUpstream();
}, 120_000);
afterAll(async () => {
  child?.kill();
  await ssm.close();
  await upstream.close();
  rmSync(out, { recursive: true, force: true });
});

describe("the built summarize function with ssm: variables", () => {
  it("loads no SSM SDK in its entry, reads its secrets, listens and answers", async () => {
    const entry = join(out, "summarize", "index.mjs");
    expect(readFileSync(entry, "utf8")).not.toContain("tencentcloud");
    const env = { PATH: process.env.PATH ?? "", PORT: "0", MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_TOKEN_KEYS: "ssm:miniask-token-keys", MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key", ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint };
    const started = spawn(process.execPath, [entry], { env });
    child = started;
    let output = "";
    const port = await new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split("\n").find((l) => l.includes('"listening"'));
        if (line) resolve(Number((JSON.parse(line) as { port: number }).port));
      };
      started.stdout.on("data", onData);
      started.stderr.on("data", onData);
      started.on("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const minted = (await issueAppToken(parseTokenKeys(TOKEN_KEYS, "staging"), "staging", "u_bundled", 600)).token;
    const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${minted}` }, body: JSON.stringify({ intent: "summarize", userId: "u_bundled", input: { text: ARTICLE_TEXT } }) });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(ssm.calls.map((c) => c.error)).toEqual([undefined, undefined]);
    expect(output).not.toContain(UPSTREAM_KEY);
    expect(output).not.toContain(TOKEN_KEYS.split(":")[1]);
  }, 60_000);
});
