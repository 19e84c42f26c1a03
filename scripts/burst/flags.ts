// Command-line flags as data: `--name value` or a bare `--name`; each value checked with zod
// where it is read, so a bad one is named with its flag.
import * as z from "zod/mini";

export type Flags = Record<string, string | true>;

export function readFlags(argv: readonly string[]): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}" (flags start with --)`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[arg.slice(2)] = true;
    else {
      out[arg.slice(2)] = next;
      i++;
    }
  }
  return out;
}

export function numberFlag(flags: Flags, name: string, fallback: number, schema: z.ZodMiniNumber<number> = z.number()): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const result = z.safeParse(schema, raw === true ? Number.NaN : Number(raw));
  if (!result.success || Number.isNaN(result.data)) throw new Error(`--${name}: expected a number${result.success ? "" : ` (${result.error.issues[0]?.message})`}, got "${String(raw)}"`);
  return result.data;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  if (raw === true) throw new Error(`--${name}: expected a value`);
  return raw;
}

/** A comma-separated list of numbers (measured cold starts passed in, in ms). */
export function numberListFlag(flags: Flags, name: string): number[] | undefined {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  const list = raw.split(",").map(Number);
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`--${name}: expected numbers separated by commas, got "${raw}"`);
  return list;
}
