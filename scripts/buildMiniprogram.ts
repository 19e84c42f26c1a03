// `npm run build:miniprogram`: the client module (miniprogram/) as a Mini Program npm package.
// 1. Generates from lib/, profiles/ and serverless.yml: miniprogram/src/functionTimeouts.ts (the
//    default timeouts) and miniprogram/src/intents.ts (typed intents, inputs, answers, support's limits).
// 2. Builds the package's `miniprogram` directory, miniprogram/miniprogram_dist: index.js, one
//    CommonJS file a Mini Program requires (ES2015: esbuild lowers async/await to generators; the
//    sources avoid every later runtime API), and its TypeScript declarations (tsc).
// 3. Runs DevTools' npm build in the example Mini Program (scripts/miniprogramNpm/buildNpm.ts):
//    examples/miniprogram/miniprogram_npm/miniask-client, committed so the example opens as cloned.
// test/miniprogramTypes.test.ts and test/miniprogramPackage.test.ts fail when any of it is stale.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { functionTimeoutsMs, functionTimeoutsSource } from "./functionTimeouts";
import { buildNpm } from "./miniprogramNpm/buildNpm";
import { defineCommand, runCli } from "./support/cli";
import { createProgress } from "./support/progress";
import { intentInputSchemas } from "./miniprogramTypes/intentSchemas";
import { intentTypesSource, strictestMaxInputChars } from "./miniprogramTypes/intentTypesSource";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const PACKAGE_DIR = join(root, "miniprogram");
export const FUNCTION_TIMEOUTS_FILE = join(PACKAGE_DIR, "src/functionTimeouts.ts");
export const INTENT_TYPES_FILE = join(PACKAGE_DIR, "src/intents.ts");
export const EXAMPLE_DIR = join(root, "examples/miniprogram");

/** The package's build directory, as its package.json's `miniprogram` field names it. */
export function distDir(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { miniprogram?: string };
  return join(PACKAGE_DIR, manifest.miniprogram ?? "miniprogram_dist");
}

/** The generated sources, path -> text. */
export async function generatedSources(): Promise<Record<string, string>> {
  return {
    [FUNCTION_TIMEOUTS_FILE]: functionTimeoutsSource(functionTimeoutsMs(root)),
    [INTENT_TYPES_FILE]: intentTypesSource(await intentInputSchemas(), strictestMaxInputChars(loadConfig(readConfigFiles(root)))),
  };
}

/** The built module's text. */
export async function bundleMiniprogram(): Promise<string> {
  const result = await build({
    entryPoints: [join(PACKAGE_DIR, "src/index.ts")],
    write: false,
    bundle: true,
    format: "cjs",
    platform: "neutral",
    target: "es2015",
    legalComments: "none",
    logLevel: "silent",
    banner: { js: "// Built by `npm run build:miniprogram` from miniprogram/src: edit those, not this file." },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}

/** The .d.ts of every module (tsc, miniprogram/tsconfig.dist.json), file name -> text. */
export function declarationFiles(): Record<string, string> {
  const out = mkdtempSync(join(tmpdir(), "miniask-dts-"));
  try {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(PACKAGE_DIR, "tsconfig.dist.json"), "--outDir", out], { stdio: "pipe" });
    const files: Record<string, string> = {};
    for (const name of readdirSync(out).sort()) files[name] = readFileSync(join(out, name), "utf8");
    return files;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Everything in miniprogram_dist, file name -> text. */
export async function distFiles(): Promise<Record<string, string>> {
  return { "index.js": await bundleMiniprogram(), ...declarationFiles() };
}

function writeDir(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const BUILD_MINIPROGRAM_COMMAND = defineCommand({
  command: "npm run build:miniprogram --",
  summary: "The client module (miniprogram/) as a Mini Program npm package: generates miniprogram/src/functionTimeouts.ts and intents.ts (typed intents, inputs, answers) from lib/, profiles/ and serverless.yml, builds miniprogram/miniprogram_dist (one ES2015 CommonJS file and its declarations), and runs the npm build of the example Mini Program.",
  options: {},
});

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(BUILD_MINIPROGRAM_COMMAND, async () => {
    // What it did is printed at the end: stdout and the progress line share the terminal.
    const done: string[] = [];
    const progress = createProgress("build:miniprogram", 3, "steps");
    try {
      progress.status("generating the typed intents");
      for (const [file, text] of Object.entries(await generatedSources())) {
        writeFileSync(file, text);
        done.push(`wrote ${file}`);
      }
      progress.tick("bundling, and the declarations (tsc)");
      writeDir(distDir(), await distFiles());
      done.push(`built ${distDir()}`);
      progress.tick("the example's npm build");
      for (const name of buildNpm(EXAMPLE_DIR)) done.push(`npm build: ${join(EXAMPLE_DIR, "miniprogram_npm", name)}`);
      progress.tick();
    } finally {
      progress.done();
      if (done.length > 0) console.log(done.join("\n"));
    }
  });
}
