// The built client (scripts/buildMiniprogram.ts): miniprogram_dist/index.js, one ES2015
// CommonJS file, run here in a node:vm context from which every ES2016+ built-in has been
// deleted, against the real local server. It streams a refining profile: the page sees text
// before the answer resolves.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Client from "../miniprogram/src/miniask";
import { bundleMiniprogram, distDir } from "../scripts/buildMiniprogram";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

/** Built-ins after ES2015 (ES2016..ES2024), deleted from the context before the module loads. */
const LATER_BUILT_INS = [
  "Array.prototype.includes",
  "Object.values",
  "Object.entries",
  "Object.getOwnPropertyDescriptors",
  "String.prototype.padStart",
  "String.prototype.padEnd",
  "Promise.prototype.finally",
  "Array.prototype.flat",
  "Array.prototype.flatMap",
  "Object.fromEntries",
  "String.prototype.trimStart",
  "String.prototype.trimEnd",
  "String.prototype.matchAll",
  "String.prototype.replaceAll",
  "Promise.allSettled",
  "Promise.any",
  "Array.prototype.at",
  "String.prototype.at",
  "Object.hasOwn",
  "Array.prototype.findLast",
  "Array.prototype.findLastIndex",
  "Array.prototype.toSorted",
  "Object.groupBy",
  "Promise.withResolvers",
  "String.prototype.isWellFormed",
  "Atomics",
  "SharedArrayBuffer",
  "WeakRef",
  "FinalizationRegistry",
  "AggregateError",
  "BigInt",
];

type ClientModule = typeof Client;

function loadBuilt(source: string): { module: ClientModule; stillThere: string[] } {
  const module = { exports: {} as Record<string, unknown> };
  // A Mini Program's logic layer: timers, but no fetch, no TextDecoder, no Node.
  const context = createContext({ module, exports: module.exports, setTimeout, clearTimeout });
  const deleteAll = LATER_BUILT_INS.map((path) => {
    const dot = path.lastIndexOf(".");
    return dot < 0 ? `delete globalThis[${JSON.stringify(path)}];` : `delete ${path.slice(0, dot)}[${JSON.stringify(path.slice(dot + 1))}];`;
  });
  // globalThis itself is ES2020: it goes last.
  runInContext(`${deleteAll.join("\n")}\ndelete globalThis.globalThis;`, context);
  const stillThere = runInContext(`[${LATER_BUILT_INS.map((p) => `[${JSON.stringify(p)}, typeof ${p.includes(".") ? p : `this[${JSON.stringify(p)}]`}]`).join(",")}, ["globalThis", typeof globalThis]].filter(function (e) { return e[1] !== "undefined"; }).map(function (e) { return e[0]; })`, context) as string[];
  runInContext(source, context);
  return { module: module.exports as unknown as ClientModule, stillThere };
}

describe("the built client module (ES2015, CommonJS)", () => {
  let source: string;
  let built: ClientModule;
  let h: Harness;
  let session: { token: string; userId: string };
  beforeAll(async () => {
    source = await bundleMiniprogram();
    const loaded = loadBuilt(source);
    expect(loaded.stillThere).toEqual([]);
    built = loaded.module;
    h = await startHarness({ env: "dev" });
    session = { token: await h.token("u_built"), userId: "u_built" };
  });
  afterAll(() => h.close());

  it("has no async functions, no later runtime API by name, no global wx lookup", () => {
    expect(source).not.toMatch(/\basync\s+function\b|\bawait\b/);
    for (const name of ["getOwnPropertyDescriptors", "Object.values", "Object.entries", "padStart", "padEnd", ".includes(", ".finally(", "globalThis", "fromEntries", "TextDecoder", "TextEncoder"]) {
      expect(source, name).not.toContain(name);
    }
  });

  it("streams a refining profile: draft text, then final text, all before the answer resolves", async () => {
    h.upstream.enqueue({ chunkDelayMs: 10 }, { chunkDelayMs: 10 });
    const client = built.createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(() => "unused", { chunkBytes: 5 }), session });
    const seen: { phase: string; text: string; resolved: boolean }[] = [];
    let resolved = false;
    const call = client.askStream("summarize", { text: `${ARTICLE_TEXT} ${randomUUID()}`, maxBullets: 3 }, { onText: (text, phase) => seen.push({ phase, text, resolved }) });
    const result = await call;
    resolved = true;
    expect(seen.filter((s) => s.phase === "draft").length).toBeGreaterThan(1);
    expect(seen.filter((s) => s.phase === "final").length).toBeGreaterThan(1);
    expect(seen.every((s) => !s.resolved && s.text !== "")).toBe(true);
    expect(result).toMatchObject({ intent: "summarize", profile: "summarize_v2", refined: true });
    expect(resolved).toBe(true);
  });

  it("falls back to one JSON reply without chunked transfer, and follows refine", async () => {
    const wx = wxStandIn(() => "unused", { baseLibrary: "2.19.0" });
    const client = built.createMiniaskClient({ baseUrl: h.url, wx, session });
    const phases: string[] = [];
    const result = await client.askStream("summarize", { text: `${ARTICLE_TEXT} ${randomUUID()}`, maxBullets: 2 }, { onText: (_t, phase) => phases.push(phase) });
    expect(phases).toEqual(["draft", "final"]);
    expect(result.refined).toBe(true);
    expect(wx.requests.every((r) => r.enableChunked === undefined)).toBe(true);
  });

  it("rejects with its own MiniaskError class: server codes, and a missing wx.request", async () => {
    const client = built.createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(), session });
    const invalid = await client.ask("summarize", { text: "x", maxBullets: 99 }, { traceId: "t-built" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(built.MiniaskError);
    expect(invalid).toMatchObject({ code: "invalid_input", status: 400, traceId: "t-built" });
    const { request: _r, ...noRequest } = wxStandIn();
    const missing = await built.createMiniaskClient({ baseUrl: h.url, wx: noRequest, session }).askStream("summarize", { text: "x" }, { traceId: "t-missing" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(built.MiniaskError);
    expect(missing).toMatchObject({ code: "wx_unavailable", traceId: "t-missing" });
  });

  it("logout() clears the stored session", async () => {
    const wx = wxStandIn();
    wx.setStorageSync("miniask.session", { token: session.token, userId: session.userId, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const client = built.createMiniaskClient({ baseUrl: h.url, wx });
    expect(client.userId()).toBe("u_built");
    client.logout();
    expect(wx.getStorageSync("miniask.session")).toBe("");
    expect(client.userId()).toBeUndefined();
  });

  it("is the package's miniprogram_dist/index.js as `npm run build:miniprogram` wrote it (not stale)", () => {
    expect(readFileSync(join(distDir(), "index.js"), "utf8")).toBe(source);
  });
});
