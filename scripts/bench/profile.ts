// Where a model-path request spends its CPU: the extract bundle, built unminified (readable
// names, same code), under --cpu-prof, loaded like the bench's model-path row. Prints the
// heaviest functions by self and by inclusive time and keeps the .cpuprofile for DevTools.
//   npm run bench:profile [-- --connections 10 --duration 6]
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueAppToken } from "../../lib/auth/appToken";
import { parseTokenKeys } from "../../lib/auth/tokenKeys";
import { buildFunctions } from "../build";
import { runLoad } from "./load";
import { startBundle, startUpstream, stop } from "./processes";
import { type CpuProfile, heaviest } from "./cpuProfile";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const CONNECTIONS = flag("--connections", 10);
const DURATION = flag("--duration", 6);

const work = mkdtempSync(join(tmpdir(), "miniask-profile-"));
const built = await buildFunctions(join(work, "dist"), { minify: false });
const dir = built.find((b) => b.name === "extract")!.dir;
const profileDir = join(work, "profile");
const upstream = await startUpstream(0);
const { child, url } = await startBundle(dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_RATE_LIMITS: "off" }, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
try {
  const token = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_profile", 3600)).token;
  const result = await runLoad({
    url: `${url}/v1/mini/ask`,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: (i) => JSON.stringify({ intent: "extract", userId: "u_profile", input: { text: `Order id: A-${i}. City: Hangzhou.`, fields: ["order_id", "city"] } }),
  });
  // The profile is written when the process exits normally: the bundle leaves on SIGTERM.
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), "utf8")) as CpuProfile;
  const { totalMs, self, inclusive } = heaviest(profile, 25);
  const perRequest = (ms: number) => (result.requests > 0 ? (ms / result.requests).toFixed(3) : "-");
  console.log(`${result.requests} requests, ${result.rps} req/s under the profiler; ${totalMs.toFixed(0)} ms sampled (${perRequest(totalMs)} ms a request)\n`);
  const show = (title: string, rows: { name: string; ms: number }[]) => {
    console.log(title);
    for (const r of rows) console.log(`${r.ms.toFixed(0).padStart(7)} ms  ${((100 * r.ms) / totalMs).toFixed(1).padStart(5)}%  ${perRequest(r.ms).padStart(6)} ms/req  ${r.name}`);
    console.log("");
  };
  show("self time", self);
  show("inclusive time (bundle code)", inclusive);
  console.log(`profile: ${join(profileDir, file)} (open in Chrome DevTools > Performance)`);
} finally {
  stop(child, upstream.child);
}
