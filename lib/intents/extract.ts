import * as z from "zod/mini";
import { contextLines, defineIntent, invalidModelOutput } from "./intent";

type FieldValue = string | number | boolean | null;

/** The first JSON object in a reply, with or without a ```json fence around it. */
export function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const extract = defineIntent({
  name: "extract",
  input: z.object({
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(20_000)),
    fields: z
      .array(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "expected a field name of letters, digits and _")))
      .check(z.minLength(1), z.maxLength(30)),
  }),
  messages: (input, context) => [
    {
      role: "user",
      content:
        `Extract these fields from the text below: ${input.fields.join(", ")}. ` +
        `Reply with only a JSON object whose keys are exactly these fields; use null for a field the text does not contain.\n\n` +
        `Text:\n${input.text}${contextLines(context)}`,
    },
  ],
  // Structured output where the provider supports it: exactly these keys, nothing else.
  jsonSchema: (input) => ({
    name: "extraction",
    schema: {
      type: "object",
      properties: Object.fromEntries(input.fields.map((field) => [field, { type: ["string", "number", "boolean", "null"] }])),
      required: input.fields,
      additionalProperties: false,
    },
  }),
  shapeAnswer(text, input) {
    const parsed = jsonObjectIn(text);
    if (!parsed) throw invalidModelOutput("not a JSON object");
    // Own properties only, set as data: a field named __proto__, constructor or toString is a
    // field like any other (an assignment would set the prototype, a read would find Object's).
    return Object.fromEntries(
      input.fields.map((field): [string, FieldValue] => {
        const value: unknown = Object.hasOwn(parsed, field) ? parsed[field] : undefined;
        return [field, value === undefined || value === null ? null : typeof value === "object" ? JSON.stringify(value) : (value as FieldValue)];
      }),
    );
  },
});
