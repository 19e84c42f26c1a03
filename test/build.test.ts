// npm run build's output, run the way SCF runs it: a fresh Node process per bundle.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { type BuiltFunction, buildFunctions, sizeTable } from "../scripts/build";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, TEST_USER_ID_SALT } from "./support/harness";

const run = promisify(execFile);
let built: BuiltFunction[];
const announced: string[] = [];
let upstream: LocalUpstream;
let wechat: FakeWechat;
const children: ChildProcess[] = [];

beforeAll(async () => {
  built = await buildFunctions(mkdtempSync(join(tmpdir(), "miniask-dist-")), { onFunction: (name, index, count) => announced.push(`${index + 1}/${count} ${name}`) });
  upstream = await startLocalUpstream();
  wechat = await startFakeWechat();
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill();
  await upstream.close();
  await wechat.close();
});

/** Starts a built web function as scf_bootstrap would (node index.mjs), on a free port. */
function startBundle(dir: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["index.mjs"], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: "0", ...env } });
    children.push(child);
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) => reject(new Error(`bundle exited ${code}: ${out}`)));
  });
}

describe("npm run build", () => {
  it("announces each function as its bundle starts (the progress line's steps), in build order", () => {
    expect(announced).toEqual(built.map((b, i) => `${i + 1}/${built.length} ${b.name}`));
  });

  it("builds one bundle, scf_bootstrap and zip per function, and prints sizes", () => {
    expect(built.map((b) => b.name)).toEqual(["summarize", "support", "recommend", "extract", "auth", "warmup"]);
    const table = sizeTable(built);
    expect(table).toMatch(/^summarize\s+web\s+\d+\.\d KB/m);
    for (const b of built.filter((f) => f.type === "web")) {
      const bootstrap = join(b.dir, "scf_bootstrap");
      expect(readFileSync(bootstrap, "utf8")).toBe("#!/bin/bash\nexport PORT=9000\nexec /var/lang/node18/bin/node /var/user/index.mjs\n");
      expect(statSync(bootstrap).mode & 0o777).toBe(0o755);
      const zipped = unzipSync(readFileSync(b.zip));
      expect(Object.keys(zipped)).toContain("scf_bootstrap");
      expect(Object.keys(zipped)).toContain("index.mjs");
    }
  });

  it("embeds the validated config: no YAML parser, no profiles/ read and no config check in a bundle", () => {
    const code = readFileSync(built.find((b) => b.name === "summarize")!.entry, "utf8");
    // (Booleans, not toContain: a failure would print the whole bundle.)
    expect(/system_prompt:.You are a concise assistant\./.test(code)).toBe(true);
    expect(/YAMLParseError|LineCounter|yaml\/dist/.test(code)).toBe(false);
    expect(code.includes("readConfigFiles") || /profiles\/faq\.yaml"\)\s*\)/.test(code)).toBe(false);
    // The config arrives validated: loadConfig and its cross-checks stay out of a bundle.
    expect(code.includes("(known: ")).toBe(false);
    // zod/mini, not zod's classic API (which carries its English error map).
    expect(code.includes("Too small: expected")).toBe(false);
  });

  it("ships no openai SDK at all: model calls go over node:http (lib/openaiWire), the SDK is types only", () => {
    for (const b of built) {
      const files = readdirSync(b.dir).filter((f) => f.endsWith(".mjs") || f.endsWith(".js"));
      const withSdk = files.filter((f) => /api\.openai\.com|OpenAI-Beta|APIConnectionTimeoutError/.test(readFileSync(join(b.dir, f), "utf8")));
      expect({ fn: b.name, withSdk }).toEqual({ fn: b.name, withSdk: [] });
    }
  });

  it("leaves the local server's playground page out of every function bundle", () => {
    for (const b of built) {
      const code = readFileSync(b.entry, "utf8");
      expect({ fn: b.name, hasPage: code.includes("miniask playground") }).toEqual({ fn: b.name, hasPage: false });
    }
  });

  it("answers a request through each built intent bundle in a fresh Node process", async () => {
    const keys = "ci:build-test-secret-of-32-bytes-long-xxxx";
    const token = (await issueAppToken(parseTokenKeys(keys, "staging"), "staging", "u_b", 300)).token;
    const inputs: Record<string, unknown> = {
      summarize: { text: ARTICLE_TEXT, maxBullets: 2 },
      support: { question: "How do I reset my password?" },
      recommend: { items: ["tea", "coffee"], preferences: "coffee" },
      extract: { text: "City: Xi'an", fields: ["city"] },
    };
    for (const [intent, input] of Object.entries(inputs)) {
      const port = await startBundle(built.find((b) => b.name === intent)!.dir, { MINIASK_ENV: "staging", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_TOKEN_KEYS: keys, MINIASK_STORE: "memory" });
      const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ intent, userId: "u_b", input }),
      });
      expect(res.status, intent).toBe(200);
      expect(((await res.json()) as { intent: string }).intent).toBe(intent);
    }
  });

  it("loads the Redis client chunk when MINIASK_STORE=redis://", async () => {
    const keys = "ci:build-test-secret-of-32-bytes-long-xxxx";
    const token = (await issueAppToken(parseTokenKeys(keys, "staging"), "staging", "u_r", 300)).token;
    const port = await startBundle(built.find((b) => b.name === "support")!.dir, { MINIASK_ENV: "staging", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_TOKEN_KEYS: keys, MINIASK_STORE: "redis://127.0.0.1:6379", MINIASK_STORE_PREFIX: `test:build:${Date.now()}:` });
    const res = await fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ intent: "support", userId: "u_r", input: { question: "Do you ship to Macau?" } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit")).toBe("20");
  });

  it("logs in through the built auth bundle", async () => {
    const port = await startBundle(built.find((b) => b.name === "auth")!.dir, {
      MINIASK_ENV: "staging",
      // Staging refuses to start without a shared store unless told the in-memory one is meant.
      MINIASK_STORE: "memory",
      MINIASK_TOKEN_KEYS: "ci:build-test-secret-of-32-bytes-long-xxxx",
      WECHAT_APPID: FAKE_APPID,
      WECHAT_SECRET: FAKE_SECRET,
      WECHAT_API_BASE: wechat.url,
      MINIASK_USER_ID_SALT: TEST_USER_ID_SALT,
    });
    const res = await fetch(`http://127.0.0.1:${port}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"code":"ok-openid-built"}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token: expect.any(String), userId: expect.stringMatching(/^u_/) });
  });

  it("warms the functions up from the built warmup bundle (CommonJS main_handler)", async () => {
    const port = await startBundle(built.find((b) => b.name === "summarize")!.dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url });
    const before = upstream.requests.length;
    const script = `require(${JSON.stringify(built.find((b) => b.name === "warmup")!.entry)}).main_handler({Type:"Timer",TriggerName:"warmup"}).then(r=>console.log(JSON.stringify(r)))`;
    const { stdout } = await run(process.execPath, ["-e", script], { env: { PATH: process.env.PATH ?? "", MINIASK_WARMUP_TARGETS: JSON.stringify([{ name: "summarize", url: `http://127.0.0.1:${port}`, count: 3 }]) } });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { warmed: { name: string; ok: number; failed: number }[] };
    expect(result.warmed).toEqual([{ name: "summarize", ok: 3, failed: 0, ms: expect.any(Number) }]);
    expect(upstream.requests.length).toBe(before);
  });
});
