// Tool arguments come from the model: outside input like any other. The tool's declared JSON
// schema (a small subset, checked at start) becomes a zod/mini validator, built once.
import * as z from "zod/mini";
import type { JsonSchemaProperty, ToolParameters } from "../config/schema";

function propertySchema(p: JsonSchemaProperty): z.ZodMiniType {
  if (p.enum) return z.enum(p.enum.map(String) as [string, ...string[]]);
  if (p.type === "boolean") return z.boolean();
  if (p.type === "string") {
    const checks = [
      ...(p.minLength === undefined ? [] : [z.minLength(p.minLength)]),
      ...(p.maxLength === undefined ? [] : [z.maxLength(p.maxLength)]),
      ...(p.pattern === undefined ? [] : [z.regex(new RegExp(p.pattern))]),
    ];
    return checks.length > 0 ? z.string().check(...checks) : z.string();
  }
  const base = p.type === "integer" ? z.int() : z.number();
  const checks = [...(p.minimum === undefined ? [] : [z.gte(p.minimum)]), ...(p.maximum === undefined ? [] : [z.lte(p.maximum)])];
  return checks.length > 0 ? base.check(...checks) : base;
}

export function jsonSchemaToZod(parameters: ToolParameters): z.ZodMiniType<Record<string, unknown>> {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const [name, property] of Object.entries(parameters.properties)) {
    const schema = propertySchema(property);
    shape[name] = parameters.required.includes(name) ? schema : z.optional(schema);
  }
  return z.strictObject(shape) as unknown as z.ZodMiniType<Record<string, unknown>>;
}
