// Reproducible builds: the same sources give byte-identical zips (so the deploy never
// redeploys an unchanged function), and a changed profile (the config is embedded in every
// bundle) gives new zips that the deploy publishes as new versions.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploy } from "../lib/deploy/deploy";
import { loadManifest } from "../lib/deploy/manifest";
import { reproducibleZip } from "../lib/deploy/reproducibleZip";
import { sdkScfApi } from "../lib/deploy/scfApi";
import { type BuiltFunction, buildFunctions } from "../scripts/build";
import { DEPLOY_ENV, type FakeTencentApi, startFakeTencentApi } from "./support/fakeTencentApi";
import { REPO_ROOT } from "./support/harness";

describe("reproducibleZip", () => {
  const entries = [
    { name: "index.mjs", content: Buffer.from("export const a = 1;\n"), mode: 0o644 },
    { name: "chunk-ABC.mjs", content: Buffer.from("export const b = 2;\n"), mode: 0o644 },
    { name: "scf_bootstrap", content: Buffer.from("#!/bin/bash\n"), mode: 0o755 },
  ];

  it("gives the same bytes whatever the order of the files, the clock or the time zone", async () => {
    const tz = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      const first = reproducibleZip(entries);
      await new Promise((resolve) => setTimeout(resolve, 2100)); // DOS time has 2 s steps
      process.env.TZ = "Pacific/Chatham";
      const second = reproducibleZip([...entries].reverse());
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("keeps the files, sorted, and scf_bootstrap executable", () => {
    const zip = reproducibleZip(entries);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(["chunk-ABC.mjs", "index.mjs", "scf_bootstrap"]);
    expect(Buffer.from(files["scf_bootstrap"]!).toString()).toBe("#!/bin/bash\n");
    // The central directory's external attributes: unix mode in the high 16 bits.
    const buf = Buffer.from(zip);
    const modes: number[] = [];
    for (let at = buf.indexOf("PK\x01\x02"); at >= 0; at = buf.indexOf("PK\x01\x02", at + 4)) modes.push((buf.readUInt32LE(at + 38) >>> 16) & 0o777);
    expect(modes).toEqual([0o644, 0o644, 0o755]);
  });
});

describe("npm run build, twice", () => {
  let first: BuiltFunction[];
  let second: BuiltFunction[];
  let changed: BuiltFunction[];
  let fake: FakeTencentApi;
  beforeAll(async () => {
    first = await buildFunctions(mkdtempSync(join(tmpdir(), "miniask-repro-a-")));
    second = await buildFunctions(mkdtempSync(join(tmpdir(), "miniask-repro-b-")));
    // The same sources with one prompt changed: a copy of profiles/, never the repo's.
    const configRoot = mkdtempSync(join(tmpdir(), "miniask-repro-config-"));
    cpSync(join(REPO_ROOT, "profiles"), join(configRoot, "profiles"), { recursive: true });
    const profiles = join(configRoot, "profiles/mini-program-profiles.yaml");
    const text = readFileSync(profiles, "utf8");
    if (!text.includes("You are a concise assistant.")) throw new Error("the profile this test changes is gone: pick another line");
    writeFileSync(profiles, text.replace("You are a concise assistant.", "You are a concise, friendly assistant."));
    changed = await buildFunctions(mkdtempSync(join(tmpdir(), "miniask-repro-c-")), { configRoot });
    fake = await startFakeTencentApi();
  }, 180_000);
  afterAll(() => fake?.close());

  it("gives byte-identical zips from the same sources", () => {
    expect(second.map((b) => b.name)).toEqual(first.map((b) => b.name));
    for (const b of first) {
      const again = second.find((s) => s.name === b.name)!;
      expect({ fn: b.name, same: readFileSync(b.zip).equals(readFileSync(again.zip)) }).toEqual({ fn: b.name, same: true });
    }
  });

  it("deploys an unchanged build as unchanged, and a changed profile as new versions", async () => {
    const manifest = loadManifest("staging", DEPLOY_ENV);
    const api = await sdkScfApi({ secretId: fake.secretId, secretKey: fake.secretKey, region: manifest.region, endpoint: fake.endpoint });
    const zips = (built: BuiltFunction[]) => Object.fromEntries(built.map((b) => [b.name, readFileSync(b.zip)]));
    const noSleep = async () => undefined;
    await deploy(api, { manifest, zips: zips(first), sleep: noSleep });
    const before = fake.calls.length;
    const { functions: rebuilt } = await deploy(api, { manifest, zips: zips(second), sleep: noSleep });
    expect(fake.calls.slice(before).filter((c) => !/^(Get|List)/.test(c.action))).toEqual([]);
    expect(rebuilt.every((d) => !d.changed && d.version === "1")).toBe(true);

    const { functions: after } = await deploy(api, { manifest, zips: zips(changed), sleep: noSleep });
    const embedsConfig = changed.filter((b) => !readFileSync(b.zip).equals(readFileSync(first.find((f) => f.name === b.name)!.zip))).map((b) => b.name);
    expect(embedsConfig).toEqual(expect.arrayContaining(["summarize", "support", "recommend", "extract"]));
    for (const d of after) expect({ fn: d.name, version: d.version }).toEqual({ fn: d.name, version: embedsConfig.includes(d.name) ? "2" : "1" });
  });
});
