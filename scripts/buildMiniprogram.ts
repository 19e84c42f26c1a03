// `npm run build:miniprogram`: the client module as one CommonJS file a Mini Program can
// `require`: miniprogram/dist/miniask.js, and the same bytes in the example Mini Program
// (examples/miniprogram/miniask/miniask.js, committed so the example opens in DevTools as
// cloned; test/exampleMiniprogram.test.ts fails when it is stale). ES2015 output: esbuild
// lowers async/await to generators; the sources avoid every later runtime API. First it writes
// miniprogram/src/functionTimeouts.ts from serverless.yml: the client's default timeouts.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { functionTimeoutsMs, functionTimeoutsSource } from "./functionTimeouts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const FUNCTION_TIMEOUTS_FILE = join(root, "miniprogram/src/functionTimeouts.ts");

export const MINIPROGRAM_OUTPUTS = [join(root, "miniprogram/dist/miniask.js"), join(root, "examples/miniprogram/miniask/miniask.js")];

/** The built module's text. */
export async function bundleMiniprogram(): Promise<string> {
  const result = await build({
    entryPoints: [join(root, "miniprogram/src/miniask.ts")],
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

export async function buildMiniprogram(...outfiles: string[]): Promise<void> {
  const text = await bundleMiniprogram();
  for (const outfile of outfiles) {
    mkdirSync(dirname(outfile), { recursive: true });
    writeFileSync(outfile, text);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(FUNCTION_TIMEOUTS_FILE, functionTimeoutsSource(functionTimeoutsMs(root)));
  console.log(`wrote ${FUNCTION_TIMEOUTS_FILE}`);
  await buildMiniprogram(...MINIPROGRAM_OUTPUTS);
  for (const out of MINIPROGRAM_OUTPUTS) console.log(`built ${out}`);
}
