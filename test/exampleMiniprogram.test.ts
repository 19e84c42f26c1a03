// The example Mini Program (examples/miniprogram) headless: its pages run in miniprogram-simulate
// (test/support/simulatePage.ts) with the client package as DevTools' npm build laid it out
// (miniprogram_npm/miniask-client, committed), and a `wx` whose requests go over real HTTP to a
// real local server (dev: summarize_v2 refines, support_v2 calls tools).
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR, distDir } from "../scripts/buildMiniprogram";
import { launchBrowser } from "./support/browser";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { type SimulatedPage, filesUnder, miniprogramFiles, openSimulatedPage, tapAndWait, textAt as textOf, typeInto as type } from "./support/simulatePage";
import type { WxStandInOptions } from "./support/wxStandIn";

describe("example Mini Program pages (miniprogram-simulate, real HTTP to npm start's server)", () => {
  let browser: Browser;
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    h = await startHarness({ env: "dev" });
    token = await h.token("u_example");
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await browser.close();
  });

  it("ships the package as the npm build lays it out: miniprogram_npm/miniask-client is the package's miniprogram_dist", () => {
    const installed = filesUnder(`${EXAMPLE_DIR}/miniprogram_npm/miniask-client`);
    expect(Object.keys(installed)).toContain("/index.js");
    expect(installed).toEqual(filesUnder(distDir()));
  });

  async function openPage(pagePath: string, options: WxStandInOptions = {}): Promise<SimulatedPage> {
    const files = miniprogramFiles(EXAMPLE_DIR);
    // config.js is the developer's knob: this server, and a dev token as the README says.
    files["/config.js"] = `module.exports = { baseUrl: ${JSON.stringify(h.url)}, devSession: { token: ${JSON.stringify(token)}, userId: "u_example" } }`;
    return openSimulatedPage(browser, files, pagePath, options);
  }

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
