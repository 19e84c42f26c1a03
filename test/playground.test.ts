// The playground in a real headless browser: the Chromium of @sparticuz/chromium driven by playwright-core.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./support/browser";
import { ARTICLE_TEXT, type Harness, REPO_ROOT, startHarness } from "./support/harness";

const ARTIFACTS = `${REPO_ROOT}test-artifacts`;

describe("playground (dev)", () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness({ env: "dev", playground: true });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  it("streams an answer on a click, shows the trace, and replays with another profile side by side", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(`${h.url}/`);
    await expect.poll(() => page.locator("#intent option").count()).toBe(4);
    expect(await page.locator("#env").textContent()).toContain("dev token filled in");
    await page.selectOption("#intent", "summarize");
    expect(await page.inputValue("#profile")).toBe("summarize_v2");
    await page.fill("#input", JSON.stringify({ text: ARTICLE_TEXT, maxBullets: 4 }));
    const before = h.upstream.requests.length;
    await page.click("#send");
    await page.locator("#status", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    const answer = (await page.textContent("#answer")) ?? "";
    expect(answer.split("\n").filter((l) => l.startsWith("- ")).length).toBeGreaterThan(0);
    expect(answer.split("\n").filter((l) => l.startsWith("- ")).length).toBeLessThanOrEqual(4);
    expect(await page.textContent("#status")).toMatch(/^done: first delta \d+ ms, total \d+ ms$/);
    // It went through the model as a stream.
    expect(h.upstream.requests.slice(before).some((r) => r.body.stream === true)).toBe(true);
    const trace = (await page.textContent("#trace")) ?? "";
    expect(trace).toContain("summarize_v2 (control)");
    expect(trace).toContain("local-stand-in:");
    expect(trace).toMatch(/timings.*auth \d+ ms/);
    expect(trace).toContain("cache");

    await page.selectOption("#other", "summarize_v2");
    await page.click("#replay");
    await page.locator("#replayStatus", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    expect(await page.textContent("#rightTitle")).toBe("Replay: summarize_v2");
    expect(((await page.textContent("#replayAnswer")) ?? "").length).toBeGreaterThan(0);
    expect(await page.textContent("#replayTrace")).toContain("summarize_v2 (requested)");

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/playground.png`, fullPage: true });
  }, 60_000);

  it("shows an error with its traceId when the input is refused", async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/`);
    await expect.poll(() => page.locator("#intent option").count()).toBe(4);
    await page.fill("#input", JSON.stringify({ text: "x", maxBullets: 99 }));
    await page.click("#send");
    await page.locator("#status.error").waitFor({ timeout: 15_000 });
    expect(await page.textContent("#status")).toMatch(/^400 invalid_input: input\.maxBullets: expected a number at most 20 \(trace [\w-]+\)$/);
  }, 30_000);
});

describe("playground elsewhere", () => {
  it("staging serves the page without a dev token", async () => {
    const h = await startHarness({ env: "staging", playground: true });
    try {
      expect((await fetch(`${h.url}/`)).status).toBe(200);
      const config = (await (await fetch(`${h.url}/playground/config`)).json()) as Record<string, unknown>;
      expect(config.devToken).toBeUndefined();
      expect(config.intents).toMatchObject({ summarize: { routed: "summarize_v1", profiles: ["summarize_v1", "summarize_v2"] } });
    } finally {
      await h.close();
    }
  });

  it("prod serves no page and ignores the debug header", async () => {
    const h = await startHarness({ env: "prod", playground: true });
    try {
      expect((await fetch(`${h.url}/`)).status).toBe(404);
      expect((await fetch(`${h.url}/playground/config`)).status).toBe(404);
      const res = await h.ask({ intent: "summarize", userId: "u_1", input: { text: ARTICLE_TEXT } }, { headers: { "x-miniask-debug": "1" } });
      expect(res.status).toBe(200);
      expect(res.json.debug).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
