// The one argument parser of every npm script: a script declares its options once (name, type,
// description, default) and gets a strict parse (node:util parseArgs, strict: true: an unknown
// flag or a missing value is an error), `--help`, and its usage text generated from the same
// declaration. runCli turns what the script's main returns or throws into the exit code: 0 and
// the usage on stdout for --help, 2 and the usage on stderr for a usage mistake, 1 for a failure
// (one line per problem, URL credentials masked).
import { parseArgs } from "node:util";
import { ConfigError } from "../../lib/config/configError";
import { maskUrlCredentials } from "../../lib/secrets/maskUrl";

export interface OptionSpec {
  type: "string" | "number" | "boolean";
  description: string;
  /** Applied when the flag is absent, and shown in the usage. */
  default?: string | number | boolean;
  /** The value's name in the usage (FILE, N, NAME); the type's name by default. */
  value?: string;
  required?: boolean;
  /** The only values a string option takes. */
  choices?: readonly string[];
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Any number of them (the last positional only). */
  multiple?: boolean;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** How it is run: `npm run eval --`. */
  command: string;
  /** What it does, a sentence or two. */
  summary: string;
  positionals?: readonly PositionalSpec[];
  options: O;
  /** Lines after the options: examples, environment variables it reads. */
  notes?: readonly string[];
}

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
  ? boolean
  : S extends { choices: readonly (infer C)[] }
    ? C | (S extends { default: string } | { required: true } ? never : undefined)
    : (S["type"] extends "number" ? number : string) | (S extends { default: string | number } | { required: true } ? never : undefined);

export type Values<O extends Record<string, OptionSpec>> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: Values<O>;
  positionals: string[];
  /** The flags given on the command line (not defaulted), by name. */
  given: ReadonlySet<string>;
}

/** A mistake in how the command was called: reported with the usage, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A store or upstream that did not answer: one line naming the address (masked) and what to check, exit 1. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
  constructor(what: string, address: string, check: string) {
    super(`cannot reach ${what} at ${maskUrlCredentials(address)}: ${check}`);
  }
}

/** The declaration, typed by what it declares (choices and required-ness included). */
export function defineCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

const HELP: OptionSpec = { type: "boolean", description: "print this usage and exit" };

/** A short list of choices is the value's name (`--stage dev|staging|prod`); a long one is listed in the description. */
function choicesInline(o: OptionSpec): boolean {
  return o.value === undefined && o.choices !== undefined && o.choices.join("|").length <= 24;
}

function placeholder(name: string, o: OptionSpec): string {
  if (o.type === "boolean") return `--${name}`;
  return `--${name} ${choicesInline(o) ? o.choices!.join("|") : (o.value ?? (o.type === "number" ? "N" : "NAME"))}`;
}

const MAX_LISTED_OPTIONAL = 8;

/** The one-line synopsis: required flags bare, the others in brackets (or `[options]` when there are many). */
export function usageLine(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => {
    const name = `<${p.name}>${p.multiple ? "..." : ""}`;
    return p.required ? name : `[${name}]`;
  });
  const entries = Object.entries(spec.options);
  const required = entries.filter(([, o]) => o.required).map(([name, o]) => placeholder(name, o));
  const optional = entries.filter(([, o]) => !o.required).map(([name, o]) => `[${placeholder(name, o)}]`);
  // A long list (burst, plan) would fill the screen on every mistake: --help lists it.
  return `usage: ${[spec.command, ...positionals, ...required, ...(optional.length > MAX_LISTED_OPTIONAL ? ["[options]"] : optional)].join(" ")}`;
}

/** The whole --help text. */
export function usageText(spec: CommandSpec): string {
  const rows: [string, string][] = [
    ...(spec.positionals ?? []).map((p): [string, string] => [`<${p.name}>`, `${p.description}${p.required ? " (required)" : ""}`]),
    ...Object.entries(spec.options).map(([name, o]): [string, string] => [
      placeholder(name, o),
      `${o.description}${o.choices && !choicesInline(o) ? ` (one of: ${o.choices.join(", ")})` : ""}${o.required ? " (required)" : ""}${o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : ""}`,
    ]),
    ["-h, --help", HELP.description],
  ];
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)));
  const lines = rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${"".padEnd(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`));
  return [usageLine(spec), "", spec.summary, "", "options:", ...lines, ...(spec.notes?.length ? ["", ...spec.notes] : [])].join("\n");
}

/** parseArgs' own messages are long and name a workaround we do not offer: ours say what is wrong. */
function usageErrorOf(err: unknown): UsageError {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? /'([^']*)'/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(`unknown option "${quoted}"`);
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return new UsageError(`unexpected argument "${quoted}"`);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return new UsageError(`${quoted} takes no value`);
    if (/ambiguous/.test(message)) return new UsageError(`${quoted} needs a value (for a value that starts with "-", write ${quoted}=VALUE)`);
    return new UsageError(`${quoted} needs a value`);
  }
  return new UsageError(message.split("\n")[0] ?? message);
}

function typed(name: string, o: OptionSpec, raw: string | boolean): string | number | boolean {
  if (o.type === "boolean") return raw;
  const text = String(raw);
  if (o.choices && !o.choices.includes(text)) throw new UsageError(`--${name}: expected ${o.choices.join(", ")}, got "${text}"`);
  if (o.type === "string") return text;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got "${text}"`);
  return n;
}

/** Parses argv against the declaration; a UsageError says what is wrong. */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[]): Parsed<O> {
  const declared = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type === "boolean" ? ("boolean" as const) : ("string" as const) }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: declared, strict: true, allowPositionals: (spec.positionals ?? []).length > 0 });
  } catch (err) {
    throw usageErrorOf(err);
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (raw === undefined || Array.isArray(raw)) {
      if (o.required) throw new UsageError(`--${name} is required`);
      values[name] = o.default ?? (o.type === "boolean" ? false : undefined);
    } else {
      given.add(name);
      values[name] = typed(name, o, raw);
    }
  }
  const wanted = spec.positionals ?? [];
  const missing = wanted.filter((p, i) => p.required && parsed.positionals[i] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((p) => `<${p.name}>`).join(" ")}`);
  const extra = wanted.at(-1)?.multiple ? [] : parsed.positionals.slice(wanted.length);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return { values: values as Values<O>, positionals: parsed.positionals, given };
}

/** --help or -h before a `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

// Error text can quote what a store or a file held: no terminal control sequences from it.
// (bidirectional overrides included: they reorder what the operator reads).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** What a failure prints: each problem on its own line, credentials masked. */
export function failureText(name: string, err: unknown): string {
  const code = err !== null && typeof err === "object" && typeof (err as { code?: unknown }).code === "string" ? ` (${(err as { code: string }).code})` : "";
  const text = err instanceof ConfigError ? err.problems.join("\n  ") : err instanceof Error ? `${err.message}${err.message.includes(code.slice(2, -1)) ? "" : code}` : String(err);
  return maskUrlCredentials(`${name}: ${text}`.replace(CONTROLS, "\ufffd"));
}

/** What a message starts with: the npm script's name (`npm run eval --` -> eval, `npm start --` -> start), else the file. */
function commandName(spec: CommandSpec): string {
  const words = spec.command.split(" ").filter((w) => w !== "--");
  if (words[0] === "npm") return (words[1] === "run" ? words[2] : words[1]) ?? "npm";
  return words.at(-1) ?? "miniask";
}

/** The mistake and the usage line, on stderr; the exit code of a usage mistake. */
export function reportUsageError(spec: CommandSpec, err: UsageError): number {
  process.stderr.write(`${commandName(spec)}: ${err.message}\n${usageLine(spec)}\n(--help for every option)\n`);
  return 2;
}

/**
 * For a script that runs at the top level (benchmarks): the parsed command line, or the process
 * ends here: the usage on stdout and exit 0 for --help, the mistake and the usage on stderr and
 * exit 2 for a usage mistake.
 */
export function commandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[] = process.argv.slice(2)): Parsed<O> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usageText(spec)}\n`);
    process.exit(0);
  }
  try {
    return parseCommandLine(spec, argv);
  } catch (err) {
    if (err instanceof UsageError) process.exit(reportUsageError(spec, err));
    throw err;
  }
}

export interface RunOptions {
  /** The exit code of a failure (eval keeps its historical 2); 1 by default. */
  failureExit?: number;
  argv?: readonly string[];
  /** A server (npm start): when main resolves the process keeps serving; only --help and failures exit. */
  serves?: boolean;
}

/**
 * Runs a script's main with its parsed arguments and exits: --help prints the usage (exit 0)
 * before anything is read or connected; a UsageError prints the mistake and the usage line on
 * stderr (exit 2); any other error is a failure line (exit 1, or failureExit).
 */
export function runCli<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, main: (args: Parsed<O>) => Promise<number | void> | number | void, options: RunOptions = {}): void {
  const argv = options.argv ?? process.argv.slice(2);
  const run = async (): Promise<number | undefined> => {
    if (wantsHelp(argv)) {
      process.stdout.write(`${usageText(spec)}\n`);
      return 0;
    }
    try {
      const code = await main(parseCommandLine(spec, argv));
      return options.serves ? undefined : (code ?? 0);
    } catch (err) {
      if (err instanceof UsageError) return reportUsageError(spec, err);
      process.stderr.write(`${failureText(commandName(spec), err)}\n`);
      return err instanceof UnreachableError ? 1 : (options.failureExit ?? 1);
    }
  };
  void run().then((code) => (code === undefined ? undefined : process.exit(code)));
}
