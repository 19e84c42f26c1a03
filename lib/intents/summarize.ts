import * as z from "zod/mini";
import { contextLines, defineIntent, invalidModelOutput } from "./intent";

const BULLET = /^\s*(?:[-*•·]|\d+[.)])\s+/;

/** Bullets from a model reply: marked lines if there are any, else every non-empty line. */
export function bulletsOf(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
  const marked = lines.filter((line) => BULLET.test(line));
  return (marked.length > 0 ? marked : lines).map((line) => line.replace(BULLET, "").trim()).filter((line) => line !== "");
}

export const summarize = defineIntent({
  name: "summarize",
  input: z.object({
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(20_000)),
    maxBullets: z._default(z.int().check(z.gte(1), z.lte(20)), 5),
  }),
  messages: (input, context) => [
    {
      role: "user",
      content: `Summarize the text below in at most ${input.maxBullets} bullet points. Start each bullet with "- ".\n\nText:\n${input.text}${contextLines(context)}`,
    },
  ],
  shapeAnswer(text, input) {
    const bullets = bulletsOf(text).slice(0, input.maxBullets);
    if (bullets.length === 0) throw invalidModelOutput("no bullet points");
    return bullets.map((bullet) => `- ${bullet}`).join("\n");
  },
});
