// The client's typed intents: miniprogram/src/intents.ts is generated from lib/intents' own
// schemas (not stale), the package's miniprogram_dist is what the build makes, and a Mini Program
// compiled with tsc against the installed package's declarations is refused when it misspells an
// intent or a field, or uses an answer as the wrong type.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { type Config, loadConfig } from "../lib/config/loadConfig";
import { INTENTS } from "../lib/intents/registry";
import { SUPPORT_LIMITS } from "../miniprogram/src/intents";
import { INTENT_NAMES } from "../lib/intents/names";
import { INTENT_TYPES_FILE, distDir, distFiles, generatedSources } from "../scripts/buildMiniprogram";
import { ANSWER_SCHEMAS } from "../scripts/miniprogramTypes/answerSchemas";
import { intentInputSchemas } from "../scripts/miniprogramTypes/intentSchemas";
import { intentTypesSource, strictestMaxInputChars, supportLimits } from "../scripts/miniprogramTypes/intentTypesSource";
import { shippedConfigFiles } from "./support/harness";
import { type MiniprogramProject, type TscDiagnostic, miniprogramProject } from "./support/miniprogramProject";
import { filesUnder } from "./support/simulatePage";

const HEADER = `import { createMiniaskClient } from "miniask-client";\nconst client = createMiniaskClient({ wx });\n`;

/** Each file: a Mini Program's use of the client; `null` when tsc must accept it. */
const USES: Record<string, { source: string; error: RegExp | null }> = {
  "good.ts": {
    source: `${HEADER}
export async function all(): Promise<string> {
  const s = await client.ask("summarize", { text: "some text" });
  const t = await client.askStream("support", { question: "where?", history: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] }, { onText: (text) => text });
  const r = await client.answer("recommend", { items: ["a", { id: "b", title: "B", tags: ["x"] }], preferences: "cheap", limit: 2 });
  const e = await client.ask("extract", { text: "Li Lei, 138", fields: ["name", "phone"] });
  const reason: string = r.answer[0]!.reason;
  const field: string | number | boolean | null | undefined = e.answer["name"];
  return s.answer + t.answer + reason + String(field);
}
`,
    error: null,
  },
  "intentTypo.ts": { source: `${HEADER}client.ask("summarise", { text: "x" });\n`, error: /"summarise".*not assignable to parameter of type '(keyof IntentInputs|"summarize" \| "support" \| "recommend" \| "extract")'/ },
  "fieldTypo.ts": { source: `${HEADER}client.ask("summarize", { text: "x", maxBulets: 3 });\n`, error: /'maxBulets' does not exist in type/ },
  "missingField.ts": { source: `${HEADER}client.ask("extract", { text: "x" });\n`, error: /Property 'fields' is missing/ },
  "otherIntentsInput.ts": { source: `${HEADER}client.askStream("support", { text: "x" });\n`, error: /'text' does not exist in type/ },
  "historyRole.ts": { source: `${HEADER}client.ask("support", { question: "q", history: [{ role: "system", content: "x" }] });\n`, error: /"system"' is not assignable to type '("user" \| "assistant"|"assistant" \| "user")'/ },
  "answerType.ts": { source: `${HEADER}export const n = client.ask("support", { question: "q" }).then((r) => { const count: number = r.answer; return count; });\n`, error: /Type 'string' is not assignable to type 'number'/ },
};

describe("typed intents, generated from lib/intents", () => {
  it("miniprogram/src/intents.ts is what the intents' schemas generate (not stale)", async () => {
    const sources = await generatedSources();
    expect(readFileSync(INTENT_TYPES_FILE, "utf8")).toBe(sources[INTENT_TYPES_FILE]);
  });

  it("the package's miniprogram_dist is what `npm run build:miniprogram` builds (not stale)", async () => {
    expect(filesUnder(distDir())).toEqual(Object.fromEntries(Object.entries(await distFiles()).map(([name, text]) => [`/${name}`, text])));
  });

  it("follows the schemas: a field with a server default is optional, a change in a schema changes the type", async () => {
    const inputs = await intentInputSchemas();
    expect(Object.keys(inputs)).toEqual([...INTENT_NAMES]);
    const source = intentTypesSource(inputs, 12_000);
    expect(source).toMatch(/summarize: \{\n\s+\/\*\* 1-20000 characters \*\/\n\s+text: string;\n\s+\/\*\* 1-20; an integer; default 5 \*\/\n\s+maxBullets\?: number;/);
    const summarize = inputs.summarize as { properties: Record<string, unknown>; required: string[] };
    const changed = { ...inputs, summarize: { ...summarize, properties: { ...summarize.properties, tone: { type: "string", enum: ["plain", "warm"] } }, required: [...summarize.required, "tone"] } };
    expect(intentTypesSource(changed, 12_000)).toContain('tone: "plain" | "warm";');
  });

  it("support's limits come from its input schema, the server's body limit and the strictest environment's input guard", async () => {
    const config = loadConfig(shippedConfigFiles());
    const guards = Object.values(config.environments).map((env) => env.safety.max_input_chars);
    expect(guards.length).toBeGreaterThan(1);
    expect(strictestMaxInputChars(config)).toBe(Math.min(...guards));
    const fake = (...limits: number[]) => ({ environments: Object.fromEntries(limits.map((n, i) => [`e${i}`, { safety: { max_input_chars: n } }])) }) as unknown as Config;
    expect(strictestMaxInputChars(fake(40_000, 9_000, 12_000))).toBe(9_000);
    expect(() => strictestMaxInputChars(fake())).toThrow("no environment");
    expect(supportLimits(await intentInputSchemas(), 12_000)).toEqual({ maxHistoryTurns: 20, maxTurnChars: 4000, maxQuestionChars: 4000, maxUserIdChars: 128, maxBodyBytes: 64 * 1024, maxInputChars: 12_000 });
    expect(SUPPORT_LIMITS.maxInputChars).toBe(strictestMaxInputChars(config));
  });

  it("each answer type fits what the intent's shapeAnswer returns", () => {
    const replies: Record<string, { input: unknown; text: string }> = {
      summarize: { input: { text: "a long text", maxBullets: 2 }, text: "- first\n- second\n- third" },
      support: { input: { question: "where?" }, text: "  It ships tomorrow.  " },
      recommend: { input: { items: ["tea", { id: "c", title: "Coffee" }], limit: 2 }, text: "c - strong\n1 - calm" },
      extract: { input: { text: "x", fields: ["name", "age", "vip", "address", "missing"] }, text: '{"name":"Li","age":30,"vip":true,"address":{"city":"Shenzhen"}}' },
    };
    for (const name of INTENT_NAMES) {
      const reply = replies[name]!;
      const answer = INTENTS[name].prepare(reply.input, undefined).shapeAnswer(reply.text);
      expect(z.safeParse(ANSWER_SCHEMAS[name], answer).success, name).toBe(true);
    }
    // The schemas are not permissive: another intent's answer does not fit.
    expect(z.safeParse(ANSWER_SCHEMAS.recommend, "c - strong").success).toBe(false);
    expect(z.safeParse(ANSWER_SCHEMAS.extract, [{ id: "c" }]).success).toBe(false);
  });
});

describe("tsc in a Mini Program that installed miniask-client", () => {
  let project: MiniprogramProject;
  let diagnostics: TscDiagnostic[];
  beforeAll(() => {
    project = miniprogramProject("mp-types", Object.fromEntries(Object.entries(USES).map(([file, use]) => [file, use.source])));
    project.install();
    diagnostics = project.tsc();
  }, 60_000);
  afterAll(() => project?.remove());

  it("accepts every intent used as its schema says, answers typed", () => {
    expect(diagnostics.filter((d) => d.file === "good.ts")).toEqual([]);
  });

  it.each(Object.entries(USES).filter(([, use]) => use.error))("refuses %s", (file, use) => {
    const own = diagnostics.filter((d) => d.file === file);
    expect(own, JSON.stringify(diagnostics)).toHaveLength(1);
    expect(own[0]?.message).toMatch(use.error as RegExp);
  });

  it("reports nothing else (no error from the package's own declarations)", () => {
    expect(diagnostics.filter((d) => !(d.file in USES))).toEqual([]);
  });
});
