import * as z from "zod/mini";

/**
 * A value read back from the store (or a file), parsed like any outside input: undefined when
 * it is missing, not JSON or not of the schema's shape. Never throws on stored data.
 */
export function parseStoredJson<S extends z.ZodMiniType>(schema: S, raw: string | undefined): z.infer<S> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(schema, value);
  return parsed.success ? parsed.data : undefined;
}
