// A Mini Program page rendered by miniprogram-simulate (the WeChat team's j-component renderer;
// it needs a DOM, so it runs in the project's headless Chromium), with a `wx` whose requests go
// over real HTTP through the test's wx stand-in. Shared by the example's test and the package's.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT } from "./harness";
import { type WxStandIn, type WxStandInOptions, wxPageRelay, wxStandIn } from "./wxStandIn";

const SIMULATE_BUNDLE = join(REPO_ROOT, "node_modules/miniprogram-simulate/build.js");
// The APIs the stand-in documents; the rest of `wx` (showToast, ...) stays miniprogram-simulate's.
const STAND_IN_APIS = ["request", "login", "canIUse", "getStorageSync", "setStorageSync", "removeStorageSync", "clearStorageSync"];

/** Every file under `root` but node_modules, "/path" -> text. */
export function filesUnder(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "node_modules") continue;
    if (statSync(path).isDirectory()) filesUnder(root, path, out);
    else out[`/${relative(root, path)}`] = readFileSync(path, "utf8");
  }
  return out;
}

/**
 * A Mini Program's files as the runtime sees them: what DevTools uploads, so not node_modules
 * (the npm doc: it takes no part in compiling or uploading) nor TypeScript sources.
 */
export function miniprogramFiles(root: string): Record<string, string> {
  const files = filesUnder(root);
  for (const path of Object.keys(files)) if (path.endsWith(".ts")) delete files[path];
  return files;
}

export interface SimulatedPage {
  page: Page;
  stand: WxStandIn;
  /** Runs `body` in the browser with `comp` (the rendered page) and `sleep` in scope. */
  run<T>(body: string, arg?: unknown): Promise<T>;
}

/**
 * miniprogram-simulate's browser `require` only joins paths; the Mini Program runtime also finds a
 * package by name: require("name") or require("name/sub") loads miniprogram_npm/name/index.js (or
 * name/sub.js), miniprogram_npm being at the root here (beside package.json), per the npm doc.
 */
function requireFromMiniprogramNpm(): void {
  const w = globalThis as unknown as { require(path: string): unknown; __FILE_MAP__: Record<string, string> };
  const plain = w.require;
  w.require = (path: string) => {
    if (w.__FILE_MAP__[`${path}.js`] !== undefined) return plain(path);
    // simulate joined the name to the requiring file's folder: try each tail as a package path.
    const parts = path.split("/").filter((p) => p !== "");
    for (let i = parts.length - 1; i >= 0; i--) {
      const tail = parts.slice(i).join("/");
      if (w.__FILE_MAP__[`/miniprogram_npm/${tail}/index.js`] !== undefined) return plain(`/miniprogram_npm/${tail}/index`);
      if (i > 0 && w.__FILE_MAP__[`/miniprogram_npm/${tail}.js`] !== undefined) return plain(`/miniprogram_npm/${tail}`);
    }
    throw new Error(`require: no module ${path}`);
  };
}

export async function openSimulatedPage(browser: Browser, files: Record<string, string>, pagePath: string, options: WxStandInOptions = {}): Promise<SimulatedPage> {
  const page = await browser.newPage();
  const stand = wxStandIn(() => "unused", options);
  await wxPageRelay(page, stand);
  await page.goto("about:blank");
  // The Mini Program runtime gives each module `exports` too ("exports 是 module.exports 的一个引用",
  // the modularity guide; TypeScript's CommonJS output uses it); simulate passes only require and module.
  const withExports: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) withExports[path] = path.endsWith(".js") ? `var exports = module.exports;\n${text}` : text;
  await page.evaluate((map) => Object.assign(globalThis, { __FILE_MAP__: map }), withExports);
  await page.addScriptTag({ content: readFileSync(SIMULATE_BUNDLE, "utf8") });
  await page.evaluate(`(${requireFromMiniprogramNpm.toString()})()`);
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
export const typeInto = (selector: string, value: string) => `comp.querySelector(${JSON.stringify(selector)}).dispatchEvent("input", { detail: { value: ${JSON.stringify(value)} } }); await sleep(0);`;
export const tapAndWait = (selector: string) =>
  `comp.querySelector(${JSON.stringify(selector)}).dispatchEvent("tap"); await sleep(0);
   for (let i = 0; i < 1500 && comp.instance.data.busy; i++) await sleep(10);
   if (comp.instance.data.busy) throw new Error("still busy after 15 s");`;
export const textAt = (selector: string) => `(comp.querySelector(${JSON.stringify(selector)}) ? comp.querySelector(${JSON.stringify(selector)}).dom.textContent : null)`;
