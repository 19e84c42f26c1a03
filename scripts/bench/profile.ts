// Where a model-path request spends its CPU: the extract bundle, built unminified (readable
// names, same code), under --cpu-prof, loaded like the bench's model-path row; then the floor
// forwarder (floorForwarder.ts) under the same profiler and load, so every figure has the least
// a Node gateway pays next to it. Prints self time by where it ran (own code, Node's JavaScript,
// native, GC) for both, ms per request, then miniask's heaviest functions and source modules by
// self and by inclusive time, and keeps the .cpuprofile files for DevTools.
//   npm run bench:profile [-- --connections 10 --duration 6 --no-floor] (npm run bench:profile -- --help)
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueAppToken } from "../../lib/auth/appToken";
import { parseTokenKeys } from "../../lib/auth/tokenKeys";
import { buildFunctions } from "../build";
import { fileURLToPath } from "node:url";
import { type CpuProfile, type SelfGroup, byModule, heaviest, moduleIndex, selfByGroup } from "./cpuProfile";
import { extractRequests } from "./extractRequest";
import { runLoad } from "./load";
import { startBundle, startFloor, startUpstream, stop } from "./processes";
import { commandLine, defineCommand } from "../support/cli";
import { createProgress } from "../support/progress";
import { table } from "./table";

const PROFILE_COMMAND = defineCommand({
  command: "npm run bench:profile --",
  summary: "Where a model-path request spends its CPU: the extract bundle built unminified, loaded under --cpu-prof, then the floor forwarder under the same load; prints self time by where it ran, the heaviest functions and source modules, and keeps the .cpuprofile files for DevTools.",
  options: {
    connections: { type: "number", default: 10, description: "concurrent connections of the load" },
    duration: { type: "number", value: "SECONDS", default: 6, description: "seconds of load per subject" },
    "no-floor": { type: "boolean", description: "profile miniask only, not the floor forwarder" },
  },
});

const { values } = commandLine(PROFILE_COMMAND);
const CONNECTIONS = values.connections;
const DURATION = values.duration;
const WITH_FLOOR = !values["no-floor"];
// The build, miniask's run, the floor's.
const progress = createProgress("bench:profile", WITH_FLOOR ? 3 : 2, "steps");

const work = mkdtempSync(join(tmpdir(), "miniask-profile-"));
const requests = extractRequests(200);

interface Profiled {
  requests: number;
  rps: number;
  profile: CpuProfile;
  file: string;
}

/** Loads a subject started under --cpu-prof, then stops it (the profile is written on a normal exit: both leave on SIGTERM). */
async function profileOf(name: string, start: (nodeArgs: string[]) => Promise<{ url: string; child: ChildProcess }>, load: (url: string) => ReturnType<typeof runLoad>): Promise<Profiled> {
  const dir = join(work, name);
  const { url, child } = await start(["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  try {
    const result = await load(url);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    // A thread each: under --import tsx the module hooks run in a thread of their own, so the
    // main thread's profile is the one that was busy.
    const profiles = readdirSync(dir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => ({ file: join(dir, f), profile: JSON.parse(readFileSync(join(dir, f), "utf8")) as CpuProfile }))
      .map((p) => ({ ...p, busy: Object.entries(selfByGroup(p.profile, () => false)).reduce((sum, [group, ms]) => sum + (group === "idle" ? 0 : ms), 0) }))
      .sort((a, b) => b.busy - a.busy);
    const main = profiles[0];
    if (!main) throw new Error(`no .cpuprofile in ${dir}`);
    return { requests: result.requests, rps: result.rps, profile: main.profile, file: main.file };
  } finally {
    stop(child);
  }
}

progress.status("build (unminified)");
const built = await buildFunctions(join(work, "dist"), { minify: false });
progress.tick(`miniask under the profiler, ${DURATION} s`);
const dir = built.find((b) => b.name === "extract")!.dir;
const upstream = await startUpstream(0);
try {
  const token = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_profile", 3600)).token;
  const miniask = await profileOf(
    "miniask",
    (nodeArgs) => startBundle(dir, { MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_RATE_LIMITS: "off" }, nodeArgs),
    (url) => runLoad({ url: `${url}/v1/mini/ask`, connections: CONNECTIONS, durationSeconds: DURATION, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: (i) => requests.askBody(i, "u_profile") }),
  );
  progress.tick(WITH_FLOOR ? `the floor under the profiler, ${DURATION} s` : undefined);
  const floor = WITH_FLOOR
    ? await profileOf(
        "floor",
        (nodeArgs) => startFloor(upstream.url, nodeArgs),
        (url) => runLoad({ url: `${url}/`, connections: CONNECTIONS, durationSeconds: DURATION, headers: { "content-type": "application/json" }, body: (i) => requests.directBody(i) }),
      )
    : undefined;

  progress.done();
  const perRequest = (ms: number, p: Profiled) => (p.requests > 0 ? ms / p.requests : Number.NaN);
  const { totalMs, self, inclusive } = heaviest(miniask.profile, 25);
  console.log(`miniask: ${miniask.requests} requests, ${miniask.rps} req/s under the profiler; ${totalMs.toFixed(0)} ms sampled (${perRequest(totalMs, miniask).toFixed(3)} ms a request)`);
  if (floor) {
    const floorMs = heaviest(floor.profile, 0).totalMs;
    console.log(`floor:   ${floor.requests} requests, ${floor.rps} req/s under the profiler; ${floorMs.toFixed(0)} ms sampled (${perRequest(floorMs, floor).toFixed(3)} ms a request)`);
  }

  const groups = selfByGroup(miniask.profile, (u) => u.endsWith(".mjs") && u.includes(dir));
  const floorGroups = floor ? selfByGroup(floor.profile, (u) => u.endsWith("floorForwarder.ts")) : undefined;
  const order: SelfGroup[] = ["own code", "node internals", "native", "garbage collector", "program", "idle"];
  const ms = (n: number) => n.toFixed(3);
  const busy = (g: Record<SelfGroup, number>, p: Profiled) => perRequest(order.filter((k) => k !== "idle").reduce((sum, k) => sum + g[k], 0), p);
  console.log(`\nSelf time by where it ran, ms a request (busy = all but idle)\n`);
  console.log(
    table(
      [...order.map((k) => [k, ms(perRequest(groups[k], miniask)), floorGroups && floor ? ms(perRequest(floorGroups[k], floor)) : "-"]), ["busy", ms(busy(groups, miniask)), floorGroups && floor ? ms(busy(floorGroups, floor)) : "-"]],
      ["where", "miniask (own code: the bundle)", "floor (own code: floorForwarder.ts)"],
    ),
  );
  const show = (title: string, rows: { name: string; ms: number }[], p: Profiled, total: number) => {
    console.log(`\n${title}`);
    for (const r of rows) console.log(`${r.ms.toFixed(0).padStart(7)} ms  ${((100 * r.ms) / total).toFixed(1).padStart(5)}%  ${ms(perRequest(r.ms, p)).padStart(6)} ms/req  ${r.name}`);
  };
  show("miniask, self time", self, miniask, totalMs);
  show("miniask, inclusive time (bundle code)", inclusive, miniask, totalMs);
  // The unminified bundle keeps esbuild's `// lib/x.ts` comments: time per source module.
  const indexes = new Map<string, (line: number) => string | undefined>();
  const moduleOf = (url: string, line: number) => {
    if (!url.startsWith("file://") || !url.includes(dir)) return undefined;
    let index = indexes.get(url);
    if (!index) indexes.set(url, (index = moduleIndex(readFileSync(fileURLToPath(url), "utf8"))));
    return index(line);
  };
  const modules = byModule(miniask.profile, moduleOf, 20);
  show("miniask, self time by source module", modules.self, miniask, totalMs);
  show("miniask, inclusive time by source module (Node's own work under a module counts to it)", modules.inclusive, miniask, totalMs);
  if (floor) {
    const f = heaviest(floor.profile, 10);
    show("floor, self time", f.self, floor, f.totalMs);
  }
  console.log(`\nprofiles: ${miniask.file}${floor ? `, ${floor.file}` : ""} (open in Chrome DevTools > Performance)`);
} finally {
  stop(upstream.child);
}
