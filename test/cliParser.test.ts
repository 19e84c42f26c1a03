// The npm scripts' one argument parser (scripts/support/cli.ts): what a declaration accepts,
// what it refuses and how, and the usage text it generates.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/configError";
import { UnreachableError, UsageError, defineCommand, failureText, parseCommandLine, usageLine, usageText, wantsHelp } from "../scripts/support/cli";

const SPEC = defineCommand({
  command: "npm run demo --",
  summary: "A demo command.",
  positionals: [{ name: "target", description: "what to work on", required: true }],
  options: {
    stage: { type: "string", required: true, choices: ["dev", "staging", "prod"], description: "the stage" },
    count: { type: "number", default: 3, description: "how many" },
    weight: { type: "number", value: "W", description: "a share" },
    file: { type: "string", value: "FILE", description: "where to write" },
    json: { type: "boolean", description: "JSON out" },
  },
});

const parse = (argv: string[]) => parseCommandLine(SPEC, argv);
const mistake = (argv: string[]) => {
  try {
    parse(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${argv.join(" ")}`);
};

describe("parseCommandLine", () => {
  it("reads values, applies defaults, converts numbers and keeps what was given", () => {
    const parsed = parse(["t1", "--stage", "prod", "--weight=0.25", "--json"]);
    expect(parsed.values).toEqual({ stage: "prod", count: 3, weight: 0.25, file: undefined, json: true });
    expect(parsed.positionals).toEqual(["t1"]);
    expect([...parsed.given].sort()).toEqual(["json", "stage", "weight"]);
    expect(parse(["--stage", "dev", "t2", "--count", "7"]).values).toMatchObject({ count: 7, json: false });
  });

  it("refuses an unknown flag, a missing value, a bad number or choice, a missing required flag or positional, and a stray argument", () => {
    expect(mistake(["t", "--stage", "dev", "--verbose"])).toBe('unknown option "--verbose"');
    expect(mistake(["t", "--stage", "dev", "-x"])).toBe('unknown option "-x"');
    expect(mistake(["t", "--stage"])).toBe("--stage needs a value");
    expect(mistake(["t", "--file", "--stage", "dev"])).toBe('--file needs a value (for a value that starts with "-", write --file=VALUE)');
    expect(mistake(["t", "--stage", "dev", "--count", "many"])).toBe('--count: expected a number, got "many"');
    expect(mistake(["t", "--stage", "dev", "--count", ""])).toBe('--count: expected a number, got ""');
    expect(mistake(["t", "--stage", "qa"])).toBe('--stage: expected dev, staging, prod, got "qa"');
    expect(mistake(["t"])).toBe("--stage is required");
    expect(mistake(["--stage", "dev"])).toBe("missing <target>");
    expect(mistake(["t", "u", "--stage", "dev"])).toBe('unexpected argument "u"');
    expect(mistake(["t", "--stage", "dev", "--json=yes"])).toBe("--json takes no value");
  });

  it("refuses any positional where none is declared", () => {
    const none = defineCommand({ command: "npm run none --", summary: "s", options: {} });
    expect(() => parseCommandLine(none, ["x"])).toThrow('unexpected argument "x"');
    expect(parseCommandLine(none, []).positionals).toEqual([]);
  });

  it("takes any number of a last positional declared multiple", () => {
    const many = defineCommand({ command: "npm run many --", summary: "s", positionals: [{ name: "module", description: "m", multiple: true }], options: {} });
    expect(parseCommandLine(many, ["a", "b", "c"]).positionals).toEqual(["a", "b", "c"]);
  });
});

describe("usage", () => {
  it("generates the synopsis from the declaration: required bare, the rest in brackets", () => {
    expect(usageLine(SPEC)).toBe("usage: npm run demo -- <target> --stage dev|staging|prod [--count N] [--weight W] [--file FILE] [--json]");
  });

  it("shortens the synopsis to [options] when there are more than eight optional flags, keeping the required ones", () => {
    const options = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`opt${i}`, { type: "boolean" as const, description: "d" }]));
    const many = defineCommand({ command: "npm run many --", summary: "s", options: { ...options, need: { type: "string", required: true, description: "d" } } });
    expect(usageLine(many)).toBe("usage: npm run many -- --need NAME [options]");
    expect(usageText(many)).toContain("  --opt8");
  });

    it("lists every option with its description, default and required-ness, and --help", () => {
    const text = usageText(SPEC);
    expect(text.split("\n").slice(0, 3)).toEqual([usageLine(SPEC), "", "A demo command."]);
    expect(text).toMatch(/^ {2}--stage dev\|staging\|prod +the stage \(required\)$/m);
    expect(text).toMatch(/^ {2}--count N +how many \(default: 3\)$/m);
    expect(text).toMatch(/^ {2}<target> +what to work on \(required\)$/m);
    expect(text).toMatch(/^ {2}-h, --help +print this usage and exit$/m);
  });

  it("names a long list of choices in the description instead of the synopsis", () => {
    const long = defineCommand({ command: "npm run x --", summary: "s", options: { intent: { type: "string", choices: ["summarize", "support", "recommend", "extract"], description: "the intent" } } });
    expect(usageLine(long)).toBe("usage: npm run x -- [--intent NAME]");
    expect(usageText(long)).toContain("the intent (one of: summarize, support, recommend, extract)");
  });

  it("sees --help and -h before a -- terminator only", () => {
    expect(wantsHelp(["--stage", "dev", "--help"])).toBe(true);
    expect(wantsHelp(["-h"])).toBe(true);
    expect(wantsHelp(["--", "--help"])).toBe(false);
    expect(wantsHelp(["--helpful"])).toBe(false);
  });
});

describe("failureText", () => {
  it("prints every problem of a config error, masks URL credentials and drops terminal controls", () => {
    expect(failureText("eval", new ConfigError(["a: one", "b: two"]))).toBe("eval: a: one\n  b: two");
    expect(failureText("replay", new Error("connect to redis://admin:hunter2@db:6379 failed\u001b[2J"))).toBe("replay: connect to redis://admin:***@db:6379 failed\ufffd[2J");
    expect(failureText("report", Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe("report: refused (ECONNREFUSED)");
    expect(failureText("report", Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" }))).toBe("report: ENOENT: no such file");
  });

  it("an unreachable store or upstream is one line: which, where (masked), what to check", () => {
    const text = failureText("replay", new UnreachableError("the redis store", "redis://:pw@10.0.0.5:6379 (MINIASK_STORE)", "check that Redis is running there"));
    expect(text).toBe("replay: cannot reach the redis store at redis://:***@10.0.0.5:6379 (MINIASK_STORE): check that Redis is running there");
  });
});
