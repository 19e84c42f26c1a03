// The npm build stand-in (scripts/miniprogramNpm/buildNpm.ts) follows DevTools' documented rule:
// `dependencies` only, a package's `miniprogram` directory (default miniprogram_dist) copied whole
// to miniprogram_npm/<name>/, an installed node_modules copy before a file: spec; a package
// without a build directory is refused by name.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildNpm } from "../scripts/miniprogramNpm/buildNpm";
import { filesUnder } from "./support/simulatePage";

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "miniask-npm-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("buildNpm", () => {
  it("copies each dependency's build directory to miniprogram_npm/<name>, replacing what was there", () => {
    const pkg = tree({ "package.json": JSON.stringify({ name: "a", miniprogram: "out" }), "out/index.js": "module.exports = 1", "out/sub/x.js": "x", "src/index.ts": "ignored" });
    const app = tree({
      "package.json": JSON.stringify({ dependencies: { a: `file:${pkg}` }, devDependencies: { dev: "file:/nowhere" } }),
      "miniprogram_npm/a/stale.js": "old",
    });
    expect(buildNpm(app)).toEqual(["a"]);
    expect(filesUnder(join(app, "miniprogram_npm"))).toEqual({ "/a/index.js": "module.exports = 1", "/a/sub/x.js": "x" });
  });

  it("takes miniprogram_dist without a `miniprogram` field, and node_modules before the file: spec", () => {
    const app = tree({
      "package.json": JSON.stringify({ dependencies: { b: "file:./elsewhere" } }),
      "node_modules/b/package.json": JSON.stringify({ name: "b" }),
      "node_modules/b/miniprogram_dist/index.js": "installed",
      "elsewhere/package.json": JSON.stringify({ name: "b" }),
      "elsewhere/miniprogram_dist/index.js": "not installed",
    });
    buildNpm(app);
    expect(filesUnder(join(app, "miniprogram_npm"))).toEqual({ "/b/index.js": "installed" });
  });

  it("refuses a package with no build directory, and one not installed", () => {
    const plain = tree({ "package.json": JSON.stringify({ dependencies: { c: "file:./c" } }), "c/package.json": JSON.stringify({ name: "c", main: "index.js" }), "c/index.js": "" });
    expect(() => buildNpm(plain)).toThrow("c: no miniprogram_dist/ build directory, so not a Mini Program npm package");
    const missing = tree({ "package.json": JSON.stringify({ dependencies: { d: "^1.0.0" } }) });
    expect(() => buildNpm(missing)).toThrow("d: not in");
  });
});
