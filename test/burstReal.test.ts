// The real-process side: the built bundle (built into a temp dir) measured for its cold start,
// a few requests through the router (instances spawned, reused and refused as the model says),
// and `npm run burst -- --html` opened in headless Chromium. Small and quick; nothing timed.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../scripts/build";
import { measureColdStarts } from "../scripts/burst/coldStart";
import { DEFAULT_MODEL } from "../scripts/burst/instanceModel";
import { realReplay } from "../scripts/burst/realReplay";
import { launchBrowser } from "./support/browser";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);
let dist = "";

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "burst-dist-"));
  await buildFunctions(dist);
}, 120_000);

describe("the built bundle as instances", () => {
  it("measures a cold start from fresh processes of dist/<fn>", async () => {
    const samples = await measureColdStarts("extract", 2, dist);
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(s.spawnToListenMs).toBeGreaterThan(0);
      expect(s.firstAnswerMs).toBeGreaterThan(s.spawnToListenMs);
      expect(s.coldStartMs).toBe(Math.max(0, s.firstAnswerMs - s.warmAnswerMs));
    }
  }, 60_000);

  it("spawns a process for each concurrent request beyond the warm ones, reuses them, and refuses past the cap", async () => {
    const T = Date.parse("2026-11-23T01:00:00Z");
    // Speed 20: 2 s of model latency becomes 100 ms; three at once, then three more a minute later (3 s of wall time), when all are free again.
    const requests = [0, 0, 0, 60, 60, 60].map((s) => ({ at: T + s * 1000, serviceMs: 2000 }));
    const model = { ...DEFAULT_MODEL, coldStartMs: [] };
    const result = await realReplay(requests, { fn: "extract", model, maxProcesses: 3, provisioned: 1, warm: 0, speed: 20, startMs: T, endMs: T + 120_000, name: "one provisioned", dist });
    const ordered = [...result.outcomes].sort((a, b) => a.at - b.at);
    expect(ordered.map((o) => o.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(ordered.slice(0, 3).filter((o) => o.cold)).toHaveLength(2);
    expect(ordered.slice(3).filter((o) => o.cold)).toHaveLength(0);
    expect(Math.max(...result.minutes.map((m) => m.instances))).toBe(3);

    const capped = await realReplay(requests.slice(0, 3), { fn: "extract", model, maxProcesses: 2, provisioned: 0, warm: 1, speed: 20, startMs: T, endMs: T + 60_000, name: "capped", dist });
    expect(capped.outcomes.map((o) => o.status).sort()).toEqual([200, 200, 432]);
  }, 60_000);
});

describe("npm run burst -- --html", () => {
  const file = join(mkdtempSync(join(tmpdir(), "burst-html-")), "burst.html");
  let stdout = "";
  beforeAll(async () => {
    ({ stdout } = await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/burst/burst.ts", "--shape", "9am", "--provisioned", "120", "--cold-start-ms", "300", "--html", file], { cwd: REPO_ROOT, timeout: 60_000 }));
  }, 70_000);
  afterAll(() => undefined);

  it("prints a row per minute of the 9:00 shape, both settings side by side", () => {
    const rows = stdout.split("\n").filter((l) => /^\d\d:\d\d /.test(l));
    expect(rows.map((r) => r.slice(0, 5))).toEqual(Array.from({ length: 30 }, (_, i) => `${String(8 + Math.floor((50 + i) / 60)).padStart(2, "0")}:${String((50 + i) % 60).padStart(2, "0")}`));
    expect(stdout).toContain("B = 120 provisioned");
  });

  it("is a self-contained page whose charts draw both settings", async () => {
    const html = readFileSync(file, "utf8");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator("figure svg").count()).toBe(4);
      const series = await page.locator("polyline.series").evaluateAll((lines) => lines.map((l) => [l.getAttribute("data-series"), (l.getAttribute("points") ?? "").split(" ").length]));
      expect(series).toHaveLength(8);
      for (const [, points] of series) expect(points).toBe(30);
      expect(await page.locator("figcaption").allTextContents()).toContain("Instances alive per minute");
    } finally {
      await browser.close();
    }
  }, 60_000);
});
