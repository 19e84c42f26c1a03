// The playground's replay, trace names, fresh runs and a phone-wide window, in the headless browser.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./support/browser";
import { type PlaygroundServer, startPlaygroundServer } from "./playgroundApp";

const rowsOf = (page: Page, table: string) => page.$$eval(`${table} tr`, (trs) => Object.fromEntries(trs.map((tr) => [tr.cells[0]?.textContent ?? "", tr.cells[1]?.textContent ?? ""])));

async function open(browser: Browser, url: string, width = 1400): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  await page.goto(`${url}/`);
  await expect.poll(() => page.locator("#intent option").count()).toBe(4);
  return page;
}

describe("playground replay and trace (dev)", () => {
  let h: PlaygroundServer;
  let browser: Browser;
  beforeAll(async () => {
    h = await startPlaygroundServer({ env: "dev" });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  it("offers every profile of the intent for replay in dev, and replays one dev does not serve", async () => {
    const config = (await (await fetch(`${h.url}/playground/config`)).json()) as { replay: string; intents: Record<string, { profiles: string[]; replayProfiles: string[] }> };
    expect(config.replay).toBe("run");
    expect(config.intents.support).toMatchObject({ profiles: ["support_v2"], replayProfiles: ["support_v1", "support_v2"] });
    const page = await open(browser, h.url);
    await page.selectOption("#intent", "support");
    expect(await page.inputValue("#other")).toBe("support_v1");
    await page.click("#replay");
    await page.locator("#replayStatus", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    expect(await page.textContent("#replayAnswer")).toContain("How do I get a refund for a cancelled order?");
    expect(await rowsOf(page, "#replayTrace")).toMatchObject({ profile: "support_v1 (replay)", tools: "" });
  }, 60_000);

  it("the trace's model is the attempt that answered, named as the attempts name it, streamed and replayed", async () => {
    const page = await open(browser, h.url);
    await page.selectOption("#intent", "support");
    await page.click("#send");
    await page.locator("#status", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    await page.selectOption("#other", "support_v2");
    await page.click("#replay");
    await page.locator("#replayStatus", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    for (const table of ["#trace", "#replayTrace"]) {
      const rows = await rowsOf(page, table);
      expect(rows.model).toBe("deepseek@override/deepseek-chat");
      expect(rows.attempts).toMatch(/^deepseek@override\/deepseek-chat: ok \d+ ms$/);
      // What the provider calls it is shown, in its own row.
      expect(rows["reported as"]).toBe("local-stand-in:deepseek-chat");
    }
  }, 60_000);

  it("a replay refuses a missing token and a profile of another intent", async () => {
    const ask = (token: string | undefined, profile: string) =>
      fetch(`${h.url}/playground/replay`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ intent: "summarize", profile, input: { text: "a. b." } }) });
    const none = await ask(undefined, "summarize_v1");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("missing_token");
    const other = await ask(await h.token("u_1"), "support_v1");
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { code: "profile_not_allowed", message: 'profile "support_v1" of intent "summarize" cannot be replayed in dev' } });
  });

  it("a new run clears the old results: the replay panel, and a slower earlier stream that never writes again", async () => {
    const page = await open(browser, h.url);
    await page.selectOption("#intent", "extract");
    await page.click("#replay");
    await page.locator("#replayStatus", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    // The next stream is slow and says OLD; a second send replaces it while it is still coming.
    h.upstream.enqueue({ content: '{"order_id": "OLD-1", "city": "OLD"}', chunkDelayMs: 300 });
    await page.click("#send");
    await expect.poll(() => page.textContent("#answer"), { timeout: 15_000 }).toContain("order_id");
    expect(await page.textContent("#replayAnswer")).toBe("");
    expect(await page.textContent("#rightTitle")).toBe("Replay");
    expect(await page.locator("#replayTrace tr").count()).toBe(0);
    await page.click("#send");
    await page.locator("#status", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    // Long enough for the old stream's last chunks and its done, had it kept writing.
    await page.waitForTimeout(1500);
    expect(JSON.parse((await page.textContent("#answer")) ?? "")).toEqual({ order_id: "A-1001", city: "Hangzhou" });
    expect(await page.textContent("#status")).toMatch(/^done/);
  }, 60_000);

  it("fits a 375 px wide window: no horizontal overflow, with an answer and its trace shown", async () => {
    const page = await open(browser, h.url, 375);
    await page.selectOption("#intent", "support");
    await page.click("#send");
    await page.locator("#status", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    await page.click("#replay");
    await page.locator("#replayStatus", { hasText: /^done/ }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await page.evaluate("document.body.scrollWidth")).toBeLessThanOrEqual(375);
    // Every control is on screen, one column.
    const boxes = await page.$$eval("#send, #replay, #input, #answer, #replayAnswer", (els) => els.map((el) => el.getBoundingClientRect().right));
    for (const right of boxes) expect(right).toBeLessThanOrEqual(375);
  }, 60_000);
});

describe("playground replay (staging)", () => {
  it("offers the profiles staging allows, and needs a token of staging", async () => {
    const h = await startPlaygroundServer({ env: "staging" });
    try {
      const config = (await (await fetch(`${h.url}/playground/config`)).json()) as { intents: Record<string, { replayProfiles: string[] }> };
      expect(config.intents.summarize?.replayProfiles).toEqual(["summarize_v1", "summarize_v2"]);
      const res = await fetch(`${h.url}/playground/replay`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_1")}` },
        body: JSON.stringify({ intent: "summarize", profile: "summarize_v1", input: { text: "Orders ship in two days. Refunds take a week." } }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ profile: "summarize_v1", ok: true, answer: "- Orders ship in two days.\n- Refunds take a week." });
    } finally {
      await h.close();
    }
  });
});
