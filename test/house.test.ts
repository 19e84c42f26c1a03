// The house (docs: design.md "Arrows point one way", style.md "Names live where they are
// owned"): each file in lib/ a room, each import an arrow. Three things keep it walkable:
// no file that reaches itself through imports, no arrow running up a floor, and no function
// in lib/ over 100 lines. Read with the TypeScript compiler (test/support/house.ts).
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Arrow,
  type House,
  arrowsRunningUp,
  importCycles,
  readHouse,
  roomOf,
  roomsWithoutFloor,
} from "./support/house";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAX_FUNCTION_LINES = 100;

/**
 * The floors of lib/, bottom first. A room (a folder of lib/, or a file at its top) may import
 * rooms on its own floor or below, never above: a name imported from above sits in the wrong
 * room (style.md). Rooms on one floor are peers (steps, in design.md's words) and may use each
 * other's parts; the cycle check still refuses two files that import each other.
 * Why this order:
 *  - words: types and pure helpers every room shares (errors, chat messages, the Logger type,
 *    text spans, clocks, timeouts, schema helpers). They know nothing of config or steps.
 *  - mechanisms: the parts whose settings config embeds and validates (breaker, budgets and
 *    prices, content security, intents, the OpenAI wire format): config imports them, so they
 *    sit below it and must not reach up to whoever logs or records (lib/observability).
 *  - config: loaded once and handed down (design.md).
 *  - keepers: what every step reads through (store, identity, routing, safety rules).
 *  - observability: traces, audit lines and redaction, over store keys and config; the Logger
 *    *type* is not here but in lib/log, so a mechanism can take a logger without climbing.
 *  - steps: the pipeline's steps and the modules beside them (auth, limits, cache, models,
 *    streaming, refine, http's plain request/response and router, ...).
 *  - the walk: lib/ask and lib/pipeline.ts compose the steps; the playground replays them.
 *  - wiring: lib/runtime builds the app for a function or the local server.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["appError", "async", "chat", "log", "text", "time", "validation"],
  ["breaker", "contentSecurity", "cost", "intents", "openaiWire"],
  ["config"],
  ["identity", "routing", "safety", "store"],
  ["observability"],
  [
    "auth",
    "cache",
    "deploy",
    "eval",
    "flags",
    "http",
    "limits",
    "models",
    "record",
    "refine",
    "replay",
    "request",
    "secrets",
    "streaming",
    "tools",
    "warmup",
  ],
  ["ask", "pipeline", "playground"],
  ["runtime"],
];

/**
 * Arrows known to run up, each with the change that removes it. The test fails when one is gone
 * (so this list only shrinks) as well as when a new one appears.
 */
const KNOWN_ARROWS_UP: readonly Pick<Arrow, "from" | "to">[] = [
];

const describeArrow = (a: Arrow) => `${a.from} -> ${a.to} (${roomOf("lib", a.from)} -> ${roomOf("lib", a.to)}): ${a.line}`;

describe("the house of lib/", () => {
  let house: House;
  beforeAll(() => {
    house = readHouse(ROOT, ["lib"]);
  }, 60_000);

  it("reads every file of lib/ and its imports", () => {
    expect(house.files).toContain("lib/pipeline.ts");
    expect(house.arrows.length).toBeGreaterThan(house.files.length);
  });

  it("has no file that reaches itself through imports", () => {
    expect(importCycles(house.files, house.arrows)).toEqual([]);
  });

  it("places every room of lib/ on a floor", () => {
    expect(roomsWithoutFloor("lib", FLOORS, house.files)).toEqual([]);
  });

  it("has no import running up a floor beyond the known ones", () => {
    const up = arrowsRunningUp("lib", FLOORS, house.arrows);
    const known = (a: Arrow) => KNOWN_ARROWS_UP.some((k) => k.from === a.from && k.to === a.to);
    expect(up.filter((a) => !known(a)).map(describeArrow)).toEqual([]);
    expect(KNOWN_ARROWS_UP.filter((k) => !up.some((a) => a.from === k.from && a.to === k.to))).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = house.functions.filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });
});

// The checks themselves, on a small house built to break each rule once (test/fixtures/house).
describe("the house checks", () => {
  const DIR = "test/fixtures/house";
  let fixture: House;
  beforeAll(() => {
    fixture = readHouse(ROOT, [DIR]);
  }, 60_000);

  it("finds a cycle through import type and one through a lazy import()", () => {
    expect(importCycles(fixture.files, fixture.arrows)).toEqual([
      [`${DIR}/high/entry.ts`, `${DIR}/high/route.ts`],
      [`${DIR}/high/plan.ts`, `${DIR}/low/word.ts`],
    ]);
  });

  it("finds no cycle once an arrow of each is taken away", () => {
    const cut = fixture.arrows.filter((a) => !a.from.endsWith("word.ts") && !a.from.endsWith("route.ts"));
    expect(importCycles(fixture.files, cut)).toEqual([]);
  });

  it("finds a file that imports itself", () => {
    const self = [{ from: "a.ts", to: "a.ts", line: "" }];
    expect(importCycles(["a.ts", "b.ts"], self)).toEqual([["a.ts"]]);
  });

  it("finds the arrow running up, and none running down or along a floor", () => {
    const up = arrowsRunningUp(DIR, [["low", "spans"], ["high"]], fixture.arrows);
    expect(up).toEqual([{ from: `${DIR}/low/word.ts`, to: `${DIR}/high/plan.ts`, line: 'import type { Plan } from "../high/plan";' }]);
    expect(arrowsRunningUp(DIR, [["low", "high", "spans"]], fixture.arrows)).toEqual([]);
  });

  it("names the rooms no floor holds", () => {
    expect(roomsWithoutFloor(DIR, [["low"]], fixture.files)).toEqual(["high", "spans"]);
  });

  it("measures a function from its first token to its closing brace", () => {
    const spans = fixture.functions
      .filter((f) => f.file === `${DIR}/spans.ts`)
      .map(({ name, line, lines }) => ({ name, line, lines }));
    expect(spans).toEqual([
      { name: "atTheLimit", line: 5, lines: 100 },
      { name: "overTheLimit", line: 106, lines: 101 },
      { name: "count", line: 209, lines: 101 },
      { name: "shortExpression", line: 312, lines: 3 },
      { name: "outerFactory", line: 316, lines: 3 },
      { name: "<anonymous>", line: 317, lines: 1 },
    ]);
  });
});
