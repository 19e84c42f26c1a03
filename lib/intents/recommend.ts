import * as z from "zod/mini";
import { contextLines, defineIntent, invalidModelOutput } from "./intent";

const itemSchema = z.union([
  z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  z.object({
    id: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w.:-]+$/, "expected an id of letters, digits, _ . : -")),
    title: z.string().check(z.minLength(1), z.maxLength(200)),
    tags: z.optional(z.array(z.string().check(z.maxLength(40))).check(z.maxLength(10))),
  }),
]);

interface Item {
  id: string;
  title: string;
  tags: string[];
}

function normalize(items: z.infer<typeof itemSchema>[]): Item[] {
  return items.map((item, i) => (typeof item === "string" ? { id: String(i + 1), title: item, tags: [] } : { id: item.id, title: item.title, tags: item.tags ?? [] }));
}

export interface Recommendation {
  id: string;
  title: string;
  reason: string;
}

export const recommend = defineIntent({
  name: "recommend",
  input: z.object({
    items: z.array(itemSchema).check(z.minLength(1), z.maxLength(50)),
    preferences: z.optional(z.union([z.string().check(z.maxLength(1_000)), z.array(z.string().check(z.maxLength(100))).check(z.maxLength(20))])),
    limit: z._default(z.int().check(z.gte(1), z.lte(20)), 3),
  }),
  messages(input, context) {
    const preferences = Array.isArray(input.preferences) ? input.preferences.join(", ") : (input.preferences ?? "none given");
    const items = normalize(input.items).map((item) => `${item.id}: ${item.title}${item.tags.length ? ` [${item.tags.join(", ")}]` : ""}`);
    return [
      {
        role: "user",
        content:
          `Recommend at most ${input.limit} of the items below for this user, best first. ` +
          `Reply with one line per item as "<id> - <short reason>", using only the ids listed.\n\n` +
          `Preferences: ${preferences}\n\nItems:\n${items.join("\n")}${contextLines(context)}`,
      },
    ];
  },
  shapeAnswer(text, input): Recommendation[] {
    const byId = new Map(normalize(input.items).map((item) => [item.id, item]));
    const picked: Recommendation[] = [];
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*(?:[-*•]\s*|\d+[.)]\s*)?([\w.:-]+)\s*(?:[-–—:]\s*(.*))?$/.exec(line);
      const item = match?.[1] ? byId.get(match[1]) : undefined;
      if (!item || picked.some((p) => p.id === item.id)) continue;
      picked.push({ id: item.id, title: item.title, reason: (match?.[2] ?? "").trim() });
      if (picked.length === input.limit) break;
    }
    if (picked.length === 0) throw invalidModelOutput("no listed item was recommended");
    return picked;
  },
});
