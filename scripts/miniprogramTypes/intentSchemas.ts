// Each intent's own input schema (the zod schema in lib/intents/<name>.ts), read at build time.
// lib/intents keeps the schema inside defineIntent's closure (the Intent it returns has only
// `prepare`), so this bundles lib/intents/registry.ts with one module swapped: `./intent`
// becomes the real module plus a defineIntent that also keeps the spec it was given. Nothing
// else changes: the schemas are the ones the server parses with.
import { type Plugin, build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { JsonSchema } from "./jsonSchemaToTs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const INTENTS_DIR = join(root, "lib/intents");
const INTENT_MODULE = join(INTENTS_DIR, "intent.ts");

/** `./intent` as imported by an intent module, kept apart from the real file the shim re-exports. */
const keepSpecs: Plugin = {
  name: "keep-intent-specs",
  setup(b) {
    b.onResolve({ filter: /^\.\/intent$/ }, (args) => (args.importer.startsWith(INTENTS_DIR) ? { path: "intent-with-spec", namespace: "shim" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "shim" }, () => ({
      resolveDir: INTENTS_DIR,
      loader: "ts",
      contents: [
        `import * as real from ${JSON.stringify(INTENT_MODULE)};`,
        `export * from ${JSON.stringify(INTENT_MODULE)};`,
        "export function defineIntent<I>(spec: Parameters<typeof real.defineIntent<I>>[0]) { return Object.assign(real.defineIntent(spec), { spec }); }",
      ].join("\n"),
    }));
  },
};

/**
 * name -> the JSON schema of what a caller may send as `input` (zod's toJSONSchema, io "input":
 * a field with a default is optional), in registry order. The zod that converts is the bundle's
 * own, the one the schemas were made with.
 */
export async function intentInputSchemas(): Promise<Record<string, JsonSchema>> {
  const result = await build({
    stdin: {
      contents: `export { INTENTS } from ${JSON.stringify(join(INTENTS_DIR, "registry.ts"))};\nexport { toJSONSchema } from "zod/mini";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "silent",
    plugins: [keepSpecs],
  });
  const dir = mkdtempSync(join(tmpdir(), "miniask-intents-"));
  try {
    const file = join(dir, "intents.mjs");
    writeFileSync(file, result.outputFiles[0]?.text ?? "");
    const bundled = (await import(pathToFileURL(file).href)) as {
      INTENTS: Record<string, { spec?: { input: unknown } }>;
      toJSONSchema(schema: unknown, options: { io: "input" }): JsonSchema;
    };
    const schemas: Record<string, JsonSchema> = {};
    for (const [name, intent] of Object.entries(bundled.INTENTS)) {
      if (!intent.spec) throw new Error(`lib/intents: ${name} was not made with defineIntent`);
      schemas[name] = bundled.toJSONSchema(intent.spec.input, { io: "input" });
    }
    return schemas;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
