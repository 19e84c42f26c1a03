// A JSON schema (as zod's toJSONSchema writes it) as a TypeScript type, for the client's
// generated declarations. Only the keywords the intents' schemas use; anything else is an error,
// so a schema the generator cannot express fails the build instead of turning into `unknown`.

export type JsonSchema = Record<string, unknown>;

export interface TsOptions {
  /** Arrays as `readonly T[]` (an input the caller built may be readonly). */
  readonlyArrays?: boolean;
}

const SHAPE_KEYWORDS = ["anyOf", "oneOf", "enum", "const", "type"];
const IGNORED = new Set(["$schema", "default", "description", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "minItems", "maxItems", "format", "propertyNames"]);

/** What the server checks beyond the type, as a doc comment reads it: "1-4000 characters". */
export function constraintsOf(schema: JsonSchema): string[] {
  const notes: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (typeof min === "number" && typeof max === "number") notes.push(`${min}-${max}${unit}`);
    else if (typeof min === "number") notes.push(`at least ${min}${unit}`);
    else if (typeof max === "number") notes.push(`at most ${max}${unit}`);
  };
  range(schema.minLength, schema.maxLength, " characters");
  range(schema.minItems, schema.maxItems, " items");
  range(schema.minimum, schema.maximum, "");
  if (schema.type === "integer") notes.push("an integer");
  if (typeof schema.pattern === "string") notes.push(`matches /${schema.pattern}/`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes;
}

function check(schema: JsonSchema, at: string): void {
  for (const key of Object.keys(schema)) {
    if (!IGNORED.has(key) && !SHAPE_KEYWORDS.includes(key) && !["properties", "required", "additionalProperties", "items"].includes(key)) {
      throw new Error(`${at}: the JSON schema keyword "${key}" has no TypeScript form here`);
    }
  }
}

const PRIMITIVE: Record<string, string> = { string: "string", number: "number", integer: "number", boolean: "boolean", null: "null" };

function indent(text: string, by: string): string {
  return text.split("\n").join(`\n${by}`);
}

/** A rendered type, and whether it is a union at its top (an array of it needs parentheses). */
interface Rendered {
  ts: string;
  isUnion: boolean;
}

function union(members: string[]): Rendered {
  const unique = [...new Set(members)];
  return { ts: unique.join(" | "), isUnion: unique.length > 1 };
}

function objectType(schema: JsonSchema, at: string, options: TsOptions): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const lines: string[] = [];
  for (const [key, property] of Object.entries(properties)) {
    const notes = constraintsOf(property);
    if (notes.length > 0) lines.push(`/** ${notes.join("; ").replace(/\*\//g, "*\\/")} */`);
    const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
    lines.push(`${name}${required.has(key) ? "" : "?"}: ${toTs(property, `${at}.${key}`, options)};`);
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === "object") lines.push(`[key: string]: ${toTs(extra as JsonSchema, `${at}[*]`, options)};`);
  return lines.length === 0 ? "{}" : `{\n  ${indent(lines.join("\n"), "  ")}\n}`;
}

function render(schema: JsonSchema, at: string, options: TsOptions): Rendered {
  check(schema, at);
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return union(alternatives.map((s, i) => toTs(s, `${at}|${i}`, options)));
  if (Array.isArray(schema.enum)) return union(schema.enum.map((v) => JSON.stringify(v)));
  if (schema.const !== undefined) return { ts: JSON.stringify(schema.const), isUnion: false };
  if (Array.isArray(schema.type)) return union(schema.type.map((t) => toTs({ ...schema, type: t }, at, options)));
  const type = schema.type;
  const single = (ts: string): Rendered => ({ ts, isUnion: false });
  if (typeof type === "string" && PRIMITIVE[type]) return single(PRIMITIVE[type] as string);
  if (type === "object") return single(objectType(schema, at, options));
  if (type === "array") {
    const item = render((schema.items ?? {}) as JsonSchema, `${at}[]`, options);
    return single(`${options.readonlyArrays ? "readonly " : ""}${item.isUnion ? `(${item.ts})` : item.ts}[]`);
  }
  throw new Error(`${at}: a JSON schema with no type this generator knows (${JSON.stringify(schema).slice(0, 120)})`);
}

/** The TypeScript type of `schema`; `at` names where it sits, for the error. */
export function toTs(schema: JsonSchema, at: string, options: TsOptions = {}): string {
  return render(schema, at, options).ts;
}
