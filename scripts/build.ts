// `npm run build`: one bundle per function in dist/<name>/ (esbuild, node18, minified,
// tree-shaken, only what that function imports), the config loadConfig validated embedded as
// JSON in place of lib/config/bundledConfig.ts (a cold start parses no YAML and runs no config
// schema), scf_bootstrap beside
// each web function, and dist/<name>.zip, reproducible: the same sources give the same bytes,
// so the deploy sees an unchanged function as unchanged. Prints each bundle's size.
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Plugin, build } from "esbuild";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { ConfigError } from "../lib/config/configError";
import { checkFunctionList } from "../lib/deploy/functionList";
import { readDeployFiles, resolveManifest } from "../lib/deploy/manifest";
import { streamBudgetProblems } from "../lib/deploy/streamBudget";
import { type ZipEntry, reproducibleZip } from "../lib/deploy/reproducibleZip";
import { defineCommand, runCli } from "./support/cli";
import { type Progress, createProgress } from "./support/progress";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface BuiltFunction {
  name: string;
  type: "web" | "event";
  dir: string;
  entry: string;
  zip: string;
  /** What a cold start loads: the entry file. */
  bytes: number;
  gzipBytes: number;
  /** Everything shipped: the entry and the lazily loaded chunks (openai SDK, store clients). */
  totalBytes: number;
  zipBytes: number;
}

/** scf_bootstrap: bash, LF endings, absolute node path, PORT 9000 on all interfaces. */
const SCF_BOOTSTRAP = "#!/bin/bash\nexport PORT=9000\nexec /var/lang/node18/bin/node /var/user/index.mjs\n";

type Config = ReturnType<typeof loadConfig>;

function embeddedConfig(config: Config): Plugin {
  return {
    name: "embedded-config",
    setup(b) {
      b.onResolve({ filter: /config\/bundledConfig$/ }, () => ({ path: "bundledConfig", namespace: "embedded-config" }));
      b.onLoad({ filter: /.*/, namespace: "embedded-config" }, () => ({ contents: `export function bundledConfig() { return ${JSON.stringify(config)}; }`, loader: "js" }));
    },
  };
}

export interface BuildOptions {
  /** Unminified only for profiling (scripts/bench/profile.ts): readable function names. */
  minify?: boolean;
  /** Where profiles/ is read from (tests build a changed copy); the repo by default. */
  configRoot?: string;
  /** The intents to build a function for (tests add one); lib/intents/names.ts by default. */
  intents?: readonly string[];
  /** Called as each function's bundle starts building (the CLI's progress line). */
  onFunction?: (name: string, index: number, count: number) => void;
}

/**
 * Before anything is built: one function per intent and no function without one, and no
 * stream in any environment that could outlive its function's timeout.
 */
function checkBuildable(manifest: ReturnType<typeof readDeployFiles>["manifest"], stages: ReturnType<typeof readDeployFiles>["stages"], config: Config, intents: readonly string[] | undefined): void {
  checkFunctionList(manifest, ROOT, intents);
  const { functions } = resolveManifest(manifest, stages, "prod", {});
  const outlived = streamBudgetProblems(functions, config, Object.keys(config.environments), intents);
  if (outlived.length > 0) throw new ConfigError(outlived);
}

export async function buildFunctions(outDir = join(ROOT, "dist"), options: BuildOptions = {}): Promise<BuiltFunction[]> {
  const { manifest, stages } = readDeployFiles(ROOT);
  // Refuses to build a config that would not start; what ships is the validated result.
  const config = loadConfig(readConfigFiles(options.configRoot ?? ROOT));
  checkBuildable(manifest, stages, config, options.intents);
  rmSync(outDir, { recursive: true, force: true });
  const plugin = embeddedConfig(config);
  const built: BuiltFunction[] = [];
  const functions = Object.entries(manifest.inputs.functions);
  for (const [index, [name, fn]] of functions.entries()) {
    options.onFunction?.(name, index, functions.length);
    const type = fn.type ?? manifest.inputs.type ?? "event";
    // serverless.yml's per-function src is the folder this build writes.
    if (fn.src !== undefined && fn.src !== `./${name}`) throw new Error(`serverless.yml: inputs.functions.${name}.src: expected ./${name} (npm run build writes dist/${name}/)`);
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    // Web functions run index.mjs directly; event functions are loaded by the runtime as CommonJS.
    const entry = join(dir, type === "web" ? "index.mjs" : "index.js");
    await build({
      entryPoints: { index: join(ROOT, "functions", name, "index.ts") },
      outdir: dir,
      // ESM splitting puts what is imported lazily (the Redis and Upstash clients) in chunks of
      // their own: a cold start loads only the entry, and a store client only when chosen.
      ...(type === "web" ? { splitting: true, chunkNames: "chunk-[hash]", outExtension: { ".js": ".mjs" } } : {}),
      bundle: true,
      platform: "node",
      target: "node18",
      format: type === "web" ? "esm" : "cjs",
      minify: options.minify ?? true,
      treeShaking: true,
      legalComments: "none",
      logLevel: "warning",
      plugins: [plugin],
      // Bundled CommonJS dependencies (ioredis) call require() for Node built-ins.
      ...(type === "web" ? { banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' } } : {}),
    });
    const entries: ZipEntry[] = [];
    let totalBytes = 0;
    for (const file of readdirSync(dir)) {
      const content = readFileSync(join(dir, file));
      totalBytes += content.length;
      entries.push({ name: file, content, mode: 0o644 });
    }
    if (type === "web") {
      const bootstrap = join(dir, "scf_bootstrap");
      writeFileSync(bootstrap, SCF_BOOTSTRAP);
      chmodSync(bootstrap, 0o755);
      entries.push({ name: "scf_bootstrap", content: Buffer.from(SCF_BOOTSTRAP), mode: 0o755 });
    }
    const zip = join(outDir, `${name}.zip`);
    writeFileSync(zip, reproducibleZip(entries));
    const code = readFileSync(entry);
    built.push({ name, type, dir, entry, zip, bytes: code.length, gzipBytes: gzipSync(code).length, totalBytes, zipBytes: statSync(zip).size });
  }
  return built;
}

export function sizeTable(built: readonly BuiltFunction[]): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const rows = built.map((b) => [b.name, b.type, kb(b.bytes), kb(b.gzipBytes), kb(b.totalBytes), kb(b.zipBytes)]);
  const head = ["function", "type", "entry (loaded at start)", "entry gzip", "all files", "zip"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** `build 2/6 functions: recommend` on a TTY while buildFunctions runs (npm run build, npm run deploy). */
export function buildProgress(): { onFunction: NonNullable<BuildOptions["onFunction"]>; done: () => void } {
  let progress: Progress | undefined;
  return {
    onFunction(name, index, count) {
      progress ??= createProgress("build", count, "functions");
      if (index > 0) progress.tick();
      progress.status(name);
    },
    done: () => progress?.done(),
  };
}

const BUILD_COMMAND = defineCommand({
  command: "npm run build --",
  summary: "One bundle per function in dist/<name>/ (esbuild, node18, minified, the validated config embedded) and a reproducible dist/<name>.zip; prints each bundle's size. Refuses a config that would not start.",
  options: {},
});

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(BUILD_COMMAND, async () => {
    const progress = buildProgress();
    const built = await buildFunctions(join(ROOT, "dist"), { onFunction: progress.onFunction }).finally(progress.done);
    console.log(sizeTable(built));
    console.log(`\n${readdirSync(join(ROOT, "dist")).filter((f) => f.endsWith(".zip")).length} zips in dist/`);
  });
}
