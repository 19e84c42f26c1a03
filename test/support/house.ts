// The house: each file in lib/ a room, each import an arrow. Read with the TypeScript compiler
// itself, so an import is what tsc sees (static, `export ... from`, `import type`, and the
// `import()` a built function loads lazily), and a function's lines are the parser's node span.
// TypeScript 7 (the native compiler this repo pins) has no `ts.createSourceFile` in JavaScript;
// its parser is reached through `typescript/unstable/sync`, which runs the compiler as a child
// process and hands back the same AST (node.forEachChild, sourceFile.imports, line starts).
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { API } from "typescript/unstable/sync";
import { type Node, type SourceFile, SyntaxKind, isIdentifier, isStringLiteral } from "typescript/unstable/ast";

export interface Arrow {
  from: string;
  to: string;
  /** The import as written, for a finding a person can act on. */
  line: string;
}

export interface FunctionSpan {
  file: string;
  name: string;
  /** 1-based line of the function's first token (after its doc comment). */
  line: number;
  lines: number;
}

export interface House {
  files: string[];
  arrows: Arrow[];
  functions: FunctionSpan[];
}

const FUNCTION_KINDS = new Set<SyntaxKind>([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** A relative specifier as the bundler resolution of tsconfig.json finds it. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier).replace(/\.js$/, "");
  return [base, `${base}.ts`, path.join(base, "index.ts")].find((c) => existsSync(c) && statSync(c).isFile());
}

function functionName(node: Node): string {
  const named = (node as { name?: Node }).name;
  if (named && isIdentifier(named)) return named.text;
  if (node.kind === SyntaxKind.Constructor) return "constructor";
  const holder = (node.parent as { name?: Node } | undefined)?.name;
  return holder && isIdentifier(holder) ? holder.text : "<anonymous>";
}

/** Every function-like node with a body, its span counted from first token to closing brace. */
export function functionSpans(sourceFile: SourceFile, file: string): FunctionSpan[] {
  const spans: FunctionSpan[] = [];
  const lineOf = (pos: number) => sourceFile.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: Node): void => {
    if (FUNCTION_KINDS.has(node.kind) && (node as { body?: Node }).body) {
      const first = lineOf(node.getStart(sourceFile));
      spans.push({ file, name: functionName(node), line: first + 1, lines: lineOf(node.end) - first + 1 });
    }
    node.forEachChild(visit);
  };
  visit(sourceFile);
  return spans;
}

function arrowsOf(sourceFile: SourceFile, file: string, absolute: string, root: string): Arrow[] {
  return sourceFile.imports.flatMap((specifier) => {
    if (!isStringLiteral(specifier)) return [];
    const target = resolveSpecifier(absolute, specifier.text);
    if (!target) return [];
    const statement = sourceFile.text.slice(specifier.parent.getStart(sourceFile), specifier.parent.end);
    return [{ from: file, to: path.relative(root, target), line: statement.split("\n")[0]!.trim() }];
  });
}

/**
 * Reads every .ts file under each `root/<dir>` (from disk, so no file hides by being outside
 * the tsconfig) through the project at `root/tsconfig.json`. Paths in the result are relative
 * to root. Takes a few seconds: the compiler loads the whole program once.
 */
export function readHouse(root: string, dirs: readonly string[]): House {
  const absoluteFiles = dirs.flatMap((dir) => tsFilesUnder(path.join(root, dir))).sort();
  const api = new API({ cwd: root });
  try {
    const snapshot = api.updateSnapshot({ openProject: path.join(root, "tsconfig.json") });
    const program = snapshot.getProjects()[0]?.program;
    if (!program) throw new Error(`no project at ${root}/tsconfig.json`);
    const house: House = { files: [], arrows: [], functions: [] };
    for (const absolute of absoluteFiles) {
      const file = path.relative(root, absolute);
      const sourceFile = program.getSourceFile(absolute);
      if (!sourceFile) throw new Error(`${file} is not in the program of tsconfig.json`);
      house.files.push(file);
      house.arrows.push(...arrowsOf(sourceFile, file, absolute, root));
      house.functions.push(...functionSpans(sourceFile, file));
    }
    return house;
  } finally {
    api.close();
  }
}

/** Files that reach themselves through imports: each strongly connected set of two or more. */
export function importCycles(files: readonly string[], arrows: readonly Arrow[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const a of arrows) next.get(a.from)?.push(a.to);
  // Tarjan's algorithm: one pass, each cycle reported once as the set of its files.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      members.push(w);
    } while (w !== v);
    if (members.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(members.sort());
  };
  for (const f of next.keys()) if (!index.has(f)) connect(f);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The room of a file under `dir`: its first folder, or its own name for a file at the top. */
export function roomOf(dir: string, file: string): string {
  const parts = path.relative(dir, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, "");
}

/**
 * Arrows from a room to a room on a higher floor. `floors` lists rooms bottom first; rooms on
 * one floor may import each other (only file cycles are refused between them).
 */
export function arrowsRunningUp(dir: string, floors: readonly (readonly string[])[], arrows: readonly Arrow[]): Arrow[] {
  const floorOf = new Map(floors.flatMap((rooms, floor) => rooms.map((room) => [room, floor] as const)));
  return arrows.filter((a) => {
    const from = floorOf.get(roomOf(dir, a.from));
    const to = floorOf.get(roomOf(dir, a.to));
    return from !== undefined && to !== undefined && to > from;
  });
}

/** Rooms under `dir` that no floor names: a new room is placed on purpose, not by default. */
export function roomsWithoutFloor(dir: string, floors: readonly (readonly string[])[], files: readonly string[]): string[] {
  const placed = new Set(floors.flat());
  return [...new Set(files.map((f) => roomOf(dir, f)))].filter((room) => !placed.has(room)).sort();
}
