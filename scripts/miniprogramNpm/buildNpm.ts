// WeChat DevTools' "构建 npm" (Tools > Build npm), for Mini Program npm packages, by its documented
// rule (developers.weixin.qq.com/miniprogram/dev/devtools/npm.html): it builds the packages in the
// `dependencies` of the Mini Program's package.json (not devDependencies); a Mini Program package
// is one whose package.json names its build directory in `miniprogram` (default miniprogram_dist),
// and that directory is copied whole to miniprogram_npm/<name>/ beside the package.json; then
// require("<name>") loads miniprogram_npm/<name>/index.js. Other npm packages DevTools bundles
// from their entry like a bundler: that is not done here, they are refused by name.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

interface PackageJson {
  name?: string;
  miniprogram?: string;
  dependencies?: Record<string, string>;
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, "utf8")) as PackageJson;

/**
 * Where `npm install` puts a dependency: node_modules/<name> when installed, else the folder a
 * `file:` spec names (npm links exactly that folder into node_modules).
 */
export function installedPackageDir(miniprogramRoot: string, name: string, spec: string): string {
  const installed = join(miniprogramRoot, "node_modules", name);
  if (existsSync(join(installed, "package.json"))) return installed;
  if (spec.startsWith("file:")) return resolve(miniprogramRoot, spec.slice("file:".length));
  throw new Error(`${name}: not in ${join(miniprogramRoot, "node_modules")}; run npm install there first`);
}

/** Runs the npm build in `miniprogramRoot` (the folder holding package.json); returns the names built. */
export function buildNpm(miniprogramRoot: string): string[] {
  const manifest = readJson(join(miniprogramRoot, "package.json"));
  const built: string[] = [];
  for (const [name, spec] of Object.entries(manifest.dependencies ?? {})) {
    const dir = installedPackageDir(miniprogramRoot, name, spec);
    const own = readJson(join(dir, "package.json"));
    const dist = join(dir, own.miniprogram ?? "miniprogram_dist");
    if (!existsSync(dist) || !statSync(dist).isDirectory()) {
      throw new Error(`${name}: no ${own.miniprogram ?? "miniprogram_dist"}/ build directory, so not a Mini Program npm package (this build copies only those)`);
    }
    const target = join(miniprogramRoot, "miniprogram_npm", name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(dist, target, { recursive: true });
    built.push(name);
  }
  return built;
}
