// The example Mini Program (examples/miniprogram) headless: its pages run in miniprogram-simulate
// (the WeChat team's j-component renderer; it needs a DOM, so it runs in the project's headless
// Chromium) with the built client module the example ships, and a `wx` whose requests go over
// real HTTP to a real local server (dev: summarize_v2 refines, support_v2 calls tools).
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINIPROGRAM_OUTPUTS, bundleMiniprogram } from "../scripts/buildMiniprogram";
import { launchBrowser } from "./support/browser";
import { ARTICLE_TEXT, REPO_ROOT, type Harness, startHarness } from "./support/harness";
import { type WxStandIn, type WxStandInOptions, wxPageRelay, wxStandIn } from "./support/wxStandIn";

const EXAMPLE = join(REPO_ROOT, "examples/miniprogram");
const SIMULATE_BUNDLE = join(REPO_ROOT, "node_modules/miniprogram-simulate/build.js");
// The APIs the stand-in documents; the rest of `wx` (showToast, ...) stays miniprogram-simulate's.
const STAND_IN_APIS = ["request", "login", "canIUse", "getStorageSync", "setStorageSync", "removeStorageSync", "clearStorageSync"];

function exampleFiles(dir = EXAMPLE, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) exampleFiles(path, out);
    else out[`/${relative(EXAMPLE, path)}`] = readFileSync(path, "utf8");
  }
  return out;
}

interface OpenedPage {
  page: Page;
  stand: WxStandIn;
  /** Runs `body` in the browser with `comp` (the rendered page) and `sleep` in scope. */
  run<T>(body: string, arg?: unknown): Promise<T>;
}

describe("example Mini Program pages (miniprogram-simulate, real HTTP to npm start's server)", () => {
  let browser: Browser;
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    // The example must ship the current build of the client module.
    expect(readFileSync(MINIPROGRAM_OUTPUTS[1] as string, "utf8")).toBe(await bundleMiniprogram());
    browser = await launchBrowser();
    h = await startHarness({ env: "dev" });
    token = await h.token("u_example");
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await browser.close();
  });

  async function openPage(pagePath: string, options: WxStandInOptions = {}): Promise<OpenedPage> {
    const page = await browser.newPage();
    const stand = wxStandIn(() => "unused", options);
    await wxPageRelay(page, stand);
    await page.goto("about:blank");
    const files = exampleFiles();
    // config.js is the developer's knob: this server, and a dev token as the README says.
    files["/config.js"] = `module.exports = { baseUrl: ${JSON.stringify(h.url)}, devSession: { token: ${JSON.stringify(token)}, userId: "u_example" } }`;
    await page.evaluate((map) => Object.assign(globalThis, { __FILE_MAP__: map }), files);
    await page.addScriptTag({ content: readFileSync(SIMULATE_BUNDLE, "utf8") });
    await page.evaluate(
      ({ path, apis }) => {
        const w = globalThis as unknown as Record<string, Record<string, unknown> & { load?: Function; render?: Function }>;
        const wx = Object.assign({}, w.wx);
        for (const api of apis) {
          if (api in w.__wxStandIn!) wx[api] = w.__wxStandIn![api];
          else delete wx[api];
        }
        w.wx = wx;
        const simulate = w.simulate as unknown as { load(p: string, o: unknown): string; render(id: string): { attach(el: unknown): void } };
        const comp = simulate.render(simulate.load(path, { compiler: "simulate", rootPath: "/" }));
        comp.attach((globalThis as unknown as { document: { createElement(t: string): unknown } }).document.createElement("parent-wrapper"));
        Object.assign(globalThis, { __page: comp });
      },
      { path: pagePath, apis: STAND_IN_APIS },
    );
    return {
      page,
      stand,
      run: <T,>(body: string, arg?: unknown) =>
        page.evaluate(
          ([source, a]) => {
            const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
            // eslint-disable-next-line no-new-func
            return new Function("comp", "sleep", "arg", `return (async () => { ${source} })()`)((globalThis as unknown as { __page: unknown }).__page, sleep, a);
          },
          [body, arg] as const,
        ) as Promise<T>,
    };
  }

  // Typing into a field and tapping a button go through the page's WXML bindings.
  const type = (selector: string, value: string) => `comp.querySelector(${JSON.stringify(selector)}).dispatchEvent("input", { detail: { value: ${JSON.stringify(value)} } }); await sleep(0);`;
  const tapAndWait = (selector: string) =>
    `comp.querySelector(${JSON.stringify(selector)}).dispatchEvent("tap"); await sleep(0);
     for (let i = 0; i < 1500 && comp.instance.data.busy; i++) await sleep(10);
     if (comp.instance.data.busy) throw new Error("still busy after 15 s");`;
  const textOf = (selector: string) => `(comp.querySelector(${JSON.stringify(selector)}) ? comp.querySelector(${JSON.stringify(selector)}).dom.textContent : null)`;

  it("summarize: the draft shows while it is written, the refined text replaces it, then the answer; setData throttled", async () => {
    h.upstream.enqueue({ chunkDelayMs: 15 }, { chunkDelayMs: 15 });
    const { run } = await openPage("/pages/summarize/summarize", { chunkBytes: 9 });
    const seen = await run<{ snapshots: { streamed: string | null; answer: string | null; phase: string }[]; setDataWithText: number; trace: string | null }>(
      `${type("#text", `${ARTICLE_TEXT} ${randomUUID()}`)}
       const snapshots = [];
       let setDataWithText = 0;
       const setData = comp.instance.setData.bind(comp.instance);
       comp.instance.setData = (data) => { if ("streamed" in data) setDataWithText++; return setData(data); };
       const record = () => {
         const last = snapshots[snapshots.length - 1];
         const now = { streamed: ${textOf("#streamed")}, answer: ${textOf("#answer")}, phase: comp.instance.data.phase };
         if (!last || last.streamed !== now.streamed || last.answer !== now.answer) snapshots.push(now);
       };
       new MutationObserver(record).observe(comp.dom, { subtree: true, childList: true, characterData: true });
       ${tapAndWait("#summarize")}
       await sleep(0);
       record();
       return { snapshots, setDataWithText, trace: ${textOf("#trace")} };`,
    );
    const firstAnswer = seen.snapshots.findIndex((s) => s.answer);
    const before = seen.snapshots.slice(0, firstAnswer);
    const drafts = before.filter((s) => s.phase === "draft" && s.streamed);
    const finals = before.filter((s) => s.phase === "final" && s.streamed);
    expect(drafts.length).toBeGreaterThan(1);
    expect(finals.length).toBeGreaterThan(0);
    expect(before.findIndex((s) => s.phase === "final")).toBeGreaterThan(before.findIndex((s) => s.phase === "draft"));
    const last = seen.snapshots.at(-1);
    expect(last?.answer?.split("\n").length).toBeLessThanOrEqual(3);
    expect(last?.answer).toMatch(/^- /);
    expect(seen.trace).toMatch(/^refined answer, trace /);
    // Throttled: far fewer renders than pieces of text (each rendered text grew by many pieces).
    const pieces = (drafts.at(-1)?.streamed ?? "").split(/\s+/).length + (finals.at(-1)?.streamed ?? "").split(/\s+/).length;
    expect(seen.setDataWithText).toBeLessThan(pieces);
  });

  it("summarize on a base library without chunked transfer: one JSON reply, then the refined answer", async () => {
    const { run, stand } = await openPage("/pages/summarize/summarize", { baseLibrary: "2.19.0" });
    const shown = await run<{ answer: string | null; trace: string | null }>(`${type("#text", `${ARTICLE_TEXT} ${randomUUID()}`)} ${tapAndWait("#summarize")} return { answer: ${textOf("#answer")}, trace: ${textOf("#trace")} };`);
    expect(shown.answer).toMatch(/^- /);
    expect(shown.trace).toMatch(/^refined answer/);
    expect(stand.requests.map((r) => [r.url.slice(h.url.length), r.enableChunked])).toEqual([
      ["/v1/mini/ask", undefined],
      ["/v1/mini/refine", undefined],
    ]);
  });

  it("summarize shows the server's code and the traceId when every provider fails", async () => {
    h.upstream.setDefault({ status: 500 });
    try {
      const { run } = await openPage("/pages/summarize/summarize");
      const error = await run<string | null>(`${type("#text", `${ARTICLE_TEXT} ${randomUUID()}`)} ${tapAndWait("#summarize")} return ${textOf("#error")};`);
      expect(error).toMatch(/^model_unavailable: .+ \(trace [\w.:-]+\)$/);
    } finally {
      h.upstream.setDefault({});
    }
  });

  it("support: a chat that sends the conversation so far with each question", async () => {
    const { run, stand } = await openPage("/pages/support/support");
    const messages = await run<string[]>(
      `${type("#question", "Where is my order SO123456789012?")} ${tapAndWait("#send")}
       ${type("#question", "And when will it arrive?")} ${tapAndWait("#send")}
       if (comp.instance.data.error) throw new Error(JSON.stringify(comp.instance.data.error));
       return Array.from(comp.dom.querySelectorAll(".main--message")).map((el) => el.textContent);`,
    );
    expect(messages).toHaveLength(4);
    expect(messages[0]).toBe("Where is my order SO123456789012?");
    expect(messages[2]).toBe("And when will it arrive?");
    expect(messages[1]).not.toBe("");
    const asks = stand.requests.filter((r) => r.url.endsWith("/v1/mini/ask")).map((r) => JSON.parse(String(r.data)) as { input: { history: unknown[] } });
    expect(asks[1]?.input.history).toEqual([
      { role: "user", content: "Where is my order SO123456789012?" },
      { role: "assistant", content: messages[1] },
    ]);
  });

  it("extract: fills a row per field, and shows a refused input's code", async () => {
    const { run } = await openPage("/pages/extract/extract");
    const rows = await run<string[]>(
      `${type("#text", "Hi, I am Li Lei, call me at 13800138000, I live in Shenzhen.")} ${type("#fields", "name, phone, city")} ${tapAndWait("#extract")}
       if (comp.instance.data.error) throw new Error(JSON.stringify(comp.instance.data.error));
       return Array.from(comp.dom.querySelectorAll(".main--row")).map((el) => el.textContent);`,
    );
    expect(rows.map((r) => r.split(/(?=[^a-z])/)[0])).toEqual(["name", "phone", "city"]);
    const error = await run<{ text: string | null; fields: string[] }>(
      `${type("#text", "")} ${type("#fields", "")} ${tapAndWait("#extract")}
       return { text: ${textOf("#error")}, fields: Array.from(comp.dom.querySelectorAll(".main--field-error")).map((el) => el.textContent) };`,
    );
    expect(error.text).toMatch(/^invalid_input: .+\(trace [\w.:-]+\)/);
    // Each field the server rejected, listed under the message.
    expect(error.fields.map((f) => f.split(":")[0]).sort()).toEqual(["input.fields", "input.text"]);
  });
});
