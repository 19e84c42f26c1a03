// A Mini Program project on disk, as a team would have it: package.json depending on the client
// package (file: the repo's miniprogram/), `npm install` run (offline: a file: dependency is a
// link), TypeScript pages compiled by tsc as DevTools' TypeScript projects are. It lives under
// test-artifacts/ so tsc finds miniprogram-api-typings in the repo's node_modules.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PACKAGE_DIR } from "../../scripts/buildMiniprogram";
import { REPO_ROOT } from "./harness";

export interface TscDiagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

export interface MiniprogramProject {
  dir: string;
  /** npm install: node_modules/miniask-client, as npm lays out a file: dependency. */
  install(): void;
  /** tsc -p . (CommonJS, ES2015, strict, the Mini Program typings); every diagnostic. */
  tsc(): TscDiagnostic[];
  remove(): void;
}

const TSCONFIG = {
  compilerOptions: { target: "ES2015", module: "commonjs", lib: ["ES2015"], types: ["miniprogram-api-typings"], strict: true, skipLibCheck: false },
};

export function miniprogramProject(name: string, files: Record<string, string>): MiniprogramProject {
  const dir = join(REPO_ROOT, "test-artifacts", `${name}-${process.pid}-${Date.now()}`);
  const all: Record<string, string> = {
    "package.json": JSON.stringify({ name, private: true, dependencies: { "miniask-client": `file:${PACKAGE_DIR}` } }, null, 2),
    "tsconfig.json": JSON.stringify({ ...TSCONFIG, include: ["**/*.ts"], exclude: ["node_modules", "miniprogram_npm"] }, null, 2),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return {
    dir,
    install() {
      execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: dir, stdio: "pipe" });
    },
    tsc() {
      try {
        execFileSync(join(REPO_ROOT, "node_modules/.bin/tsc"), ["-p", ".", "--pretty", "false"], { cwd: dir, stdio: "pipe", encoding: "utf8" });
        return [];
      } catch (err) {
        const out = String((err as { stdout?: unknown }).stdout ?? "");
        const diagnostics: TscDiagnostic[] = [];
        for (const match of out.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
          diagnostics.push({ file: match[1] as string, line: Number(match[2]), code: match[3] as string, message: match[4] as string });
        }
        if (diagnostics.length === 0) throw err;
        return diagnostics;
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
