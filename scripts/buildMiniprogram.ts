// `npm run build:miniprogram`: the client module as one CommonJS file a Mini Program can
// `require` (miniprogram/dist/miniask.js). ES2015 output: esbuild lowers async/await.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export async function buildMiniprogram(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), "../miniprogram/src/miniask.ts")],
    outfile,
    bundle: true,
    format: "cjs",
    platform: "neutral",
    target: "es2015",
    legalComments: "none",
    logLevel: "silent",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "../miniprogram/dist/miniask.js");
  await buildMiniprogram(out);
  console.log(`built ${out}`);
}
