// What reading secrets from SSM adds to a cold start: the built summarize function (node
// dist/summarize/index.mjs, as scf_bootstrap runs it) started N times with plain variables and N
// times with the same values as `ssm:` references read from the SSM double over loopback HTTP.
// Reports the `listening` line's initMs (process start to serving) and secretsMs (the SSM read:
// loading the SDK chunk, signing, two GetSecretValue calls in parallel), medians and p90s.
// Usage: npx tsx test/support/measureSsmColdStart.ts [runs=15]
// Loopback is the floor: a real SSM call from SCF adds the network round trip to the endpoint.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFunctions } from "../../scripts/build";
import { median, percentile, round } from "../../scripts/bench/stats";
import { startLocalUpstream } from "../../scripts/local-upstream/server";
import { startFakeSsm } from "./fakeSsm";

const TOKEN_KEYS = "k1:measure-token-secret-of-at-least-32-bytes-xx";
const UPSTREAM_KEY = "sk-measure-upstream-key";

function startOnce(entry: string, env: Record<string, string>): Promise<{ initMs: number; secretsMs?: number }> {
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? "", PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.includes('"listening"'));
      if (!line) return;
      const parsed = JSON.parse(line) as { initMs: number; secretsMs?: number };
      child.kill();
      resolve(parsed);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${output.slice(0, 500)}`)));
  });
}

const runs = Number(process.argv[2] ?? 15);
const out = mkdtempSync(join(tmpdir(), "miniask-ssm-cold-"));
try {
  await buildFunctions(out);
  const dir = join(out, "summarize");
  const chunks = readdirSync(dir).filter((f) => f.endsWith(".mjs")).map((f) => `${f} ${(statSync(join(dir, f)).size / 1024).toFixed(1)} KB`);
  const ssm = await startFakeSsm({ secrets: { "miniask-token-keys": { SSM_Current: TOKEN_KEYS }, "miniask-upstream-key": { SSM_Current: UPSTREAM_KEY } } });
  const upstream = await startLocalUpstream();
  const base = { MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_UPSTREAM_URL: upstream.url };
  const plain = { ...base, MINIASK_TOKEN_KEYS: TOKEN_KEYS, MINIASK_UPSTREAM_KEY: UPSTREAM_KEY };
  const fromSsm = { ...base, ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint, MINIASK_TOKEN_KEYS: "ssm:miniask-token-keys", MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" };
  const entry = join(dir, "index.mjs");
  await startOnce(entry, plain); // warm the OS file cache once, unmeasured
  const plainInit: number[] = [];
  const ssmInit: number[] = [];
  const ssmRead: number[] = [];
  for (let i = 0; i < runs; i++) {
    plainInit.push((await startOnce(entry, plain)).initMs);
    const r = await startOnce(entry, fromSsm);
    ssmInit.push(r.initMs);
    ssmRead.push(r.secretsMs ?? Number.NaN);
  }
  const row = (name: string, xs: number[]) => `${name.padEnd(34)} median ${round(median(xs), 1)} ms  p90 ${round(percentile(xs, 90), 1)} ms`;
  console.log(`summarize bundle files: ${chunks.join(", ")}`);
  console.log(`${runs} cold starts each, interleaved (node ${process.version}):`);
  console.log(row("initMs, plain variables", plainInit));
  console.log(row("initMs, 2 ssm: variables", ssmInit));
  console.log(row("secretsMs (the SSM read alone)", ssmRead));
  console.log(`added to a cold start (median difference): ${round(median(ssmInit) - median(plainInit), 1)} ms`);
  await upstream.close();
  await ssm.close();
} finally {
  rmSync(out, { recursive: true, force: true });
}
