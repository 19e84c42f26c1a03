// The client as a team installs it: a TypeScript Mini Program whose package.json depends on
// miniask-client; `npm install` (offline: a file: dependency is a link); its pages compiled by tsc
// against the package's declarations; DevTools' npm build (scripts/miniprogramNpm/buildNpm.ts:
// the package's `miniprogram` directory copied to miniprogram_npm/miniask-client); then the page
// runs in miniprogram-simulate in Chromium and calls a typed intent over real HTTP to a real
// local server (dev profiles, the local upstream).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNpm } from "../scripts/miniprogramNpm/buildNpm";
import { distDir } from "../scripts/buildMiniprogram";
import { launchBrowser } from "./support/browser";
import { type Harness, startHarness } from "./support/harness";
import { type MiniprogramProject, miniprogramProject } from "./support/miniprogramProject";
import { filesUnder, miniprogramFiles, openSimulatedPage, tapAndWait } from "./support/simulatePage";

const PAGE_TS = `import { type IntentAnswers, type MiniaskError, createMiniaskClient } from "miniask-client";
import { config } from "../../config";

const client = createMiniaskClient({ wx, baseUrl: config.baseUrl, session: config.session });

Component({
  data: { picks: [] as IntentAnswers["recommend"], error: "", busy: false, traceId: "" },
  methods: {
    onRecommend() {
      this.setData({ busy: true, error: "" });
      const items = [{ id: "tea", title: "Green tea", tags: ["warm"] }, { id: "coffee", title: "Coffee" }, "Orange juice"];
      return client.ask("recommend", { items, preferences: ["warm", "tea"], limit: 2 }).then(
        (res) => this.setData({ busy: false, traceId: res.traceId, picks: res.answer.map((pick) => ({ id: pick.id, title: pick.title, reason: pick.reason })) }),
        (err: MiniaskError) => this.setData({ busy: false, error: err.code + ": " + err.detail }),
      );
    },
  },
});
`;

const PAGE_WXML = `<button id="recommend" bindtap="onRecommend">Recommend</button>
<view wx:for="{{picks}}" wx:key="id" class="pick">{{item.id}} | {{item.title}} | {{item.reason}}</view>
<view id="error">{{error}}</view>
`;

describe("miniask-client installed through the Mini Program npm build", () => {
  let browser: Browser;
  let h: Harness;
  let project: MiniprogramProject;
  let built: string[];
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    const session = { token: await h.token("u_package"), userId: "u_package" };
    project = miniprogramProject("mp-package", {
      "app.json": JSON.stringify({ pages: ["pages/recommend/recommend"] }),
      "app.js": "App({})\n",
      "config.ts": `export const config = ${JSON.stringify({ baseUrl: h.url, session })};\n`,
      "pages/recommend/recommend.ts": PAGE_TS,
      "pages/recommend/recommend.wxml": PAGE_WXML,
      "pages/recommend/recommend.json": JSON.stringify({ component: true }),
    });
    project.install();
    built = buildNpm(project.dir);
    browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    project?.remove();
  });

  it("the npm build copies the package's miniprogram_dist to miniprogram_npm/miniask-client", () => {
    expect(built).toEqual(["miniask-client"]);
    const installed = filesUnder(join(project.dir, "miniprogram_npm/miniask-client"));
    expect(installed).toEqual(filesUnder(distDir()));
    expect(Object.keys(installed)).toEqual(expect.arrayContaining(["/index.js", "/index.d.ts", "/intents.d.ts"]));
  });

  it("the TypeScript page compiles against the package's declarations", () => {
    expect(project.tsc()).toEqual([]);
    // CommonJS that requires the package by name: the runtime finds it in miniprogram_npm.
    expect(readFileSync(join(project.dir, "pages/recommend/recommend.js"), "utf8")).toContain('require("miniask-client")');
  });

  it("the page calls the typed recommend intent on the real server and shows its answer", async () => {
    const { run, stand } = await openSimulatedPage(browser, miniprogramFiles(project.dir), "/pages/recommend/recommend");
    const shown = await run<{ picks: string[]; error: string }>(
      `${tapAndWait("#recommend")}
       return { picks: Array.from(comp.dom.querySelectorAll(".main--pick")).map((el) => el.textContent), error: comp.instance.data.error };`,
    );
    expect(shown.error).toBe("");
    expect(shown.picks.length).toBeGreaterThan(0);
    expect(shown.picks.length).toBeLessThanOrEqual(2);
    const rows = shown.picks.map((text) => text.split(" | "));
    // Only listed ids, each with its title and a reason (the local upstream ranks "tea" first).
    expect(rows[0]?.slice(0, 2)).toEqual(["tea", "Green tea"]);
    for (const row of rows) {
      expect(["tea", "coffee", "3"]).toContain(row[0]);
      expect(row[2]).not.toBe("");
    }
    const asks = stand.requests.filter((r) => r.url === `${h.url}/v1/mini/ask`);
    expect(asks).toHaveLength(1);
    expect(JSON.parse(String(asks[0]?.data))).toMatchObject({ intent: "recommend", userId: "u_package", input: { limit: 2, preferences: ["warm", "tea"] } });
  });
});
