// What the local stand-in "model" says. Deterministic and extractive: it reads the prompts
// lib/intents builds and answers from the user's own text, so a fresh machine with no
// network gets readable answers. It is not a model, and its model name says "local".

export interface UpstreamMessage {
  role: string;
  content?: string | null;
}

function section(prompt: string, label: string): string {
  const start = prompt.indexOf(`${label}:\n`);
  if (start < 0) return "";
  const rest = prompt.slice(start + label.length + 2);
  const end = rest.indexOf("\n\nContext:\n");
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}

function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?。！？])\s*/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1);
}

function summarizeReply(prompt: string, maxBullets: number): string {
  const sentences = sentencesOf(section(prompt, "Text"));
  const bullets = (sentences.length > 0 ? sentences : ["(empty text)"]).slice(0, maxBullets);
  return bullets.map((s) => `- ${s.split(" ").slice(0, 24).join(" ")}`).join("\n");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function extractReply(prompt: string, fields: string[]): string {
  const text = section(prompt, "Text");
  const out: Record<string, string | null> = {};
  for (const field of fields) {
    const words = field.split(/_|(?<=[a-z])(?=[A-Z])/).filter(Boolean).map(escapeRegex).join("[ _-]?");
    // A value ends at a line, a comma or semicolon, or a sentence's full stop.
    const match = new RegExp(`${words}\\s*(?:[:：=]|\\bis\\b|\\bwas\\b)\\s*([^\\n,;]+?)(?=[.。](?:\\s|$)|[\\n,;]|$)`, "i").exec(text);
    out[field] = match?.[1] ? match[1].trim() : null;
  }
  return JSON.stringify(out);
}

function recommendReply(prompt: string, limit: number): string {
  const preferences = (/^Preferences: (.*)$/m.exec(prompt)?.[1] ?? "").toLowerCase();
  const wanted = preferences.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2 && w !== "none" && w !== "given");
  const items = section(prompt, "Items")
    .split("\n")
    .map((line, index) => {
      const match = /^([\w.:-]+): (.*)$/.exec(line.trim());
      if (!match?.[1]) return undefined;
      const haystack = (match[2] ?? "").toLowerCase();
      const hits = wanted.filter((w) => haystack.includes(w));
      return { id: match[1], index, hits };
    })
    .filter((item): item is { id: string; index: number; hits: string[] } => item !== undefined);
  items.sort((a, b) => b.hits.length - a.hits.length || a.index - b.index);
  return items
    .slice(0, limit)
    .map((item) => `${item.id} - ${item.hits.length > 0 ? `matches ${item.hits.join(", ")}` : "a popular pick"}`)
    .join("\n");
}

function supportReply(question: string): string {
  const words = question.split(/\s+/).filter(Boolean);
  if (words.length < 3 && !/[\u4e00-\u9fff]{4,}/u.test(question)) {
    return "Could you tell me a little more about what you are trying to do, and what happens instead?";
  }
  return (
    `Thanks for asking about "${question.slice(0, 120)}". ` +
    "Please try the steps in the help section first; if it still does not work, reply with what you tried and I will take it from there."
  );
}

/** The assistant's text for a conversation, recognising the prompts lib/intents writes. */
export function replyFor(messages: readonly UpstreamMessage[]): string {
  const last = messages.at(-1);
  if (last?.role === "tool") return `Here is what I found: ${(last.content ?? "").slice(0, 400)}`;
  const lastUser = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const bullets = /in at most (\d+) bullet points/.exec(lastUser);
  if (bullets?.[1]) return summarizeReply(lastUser, Number(bullets[1]));
  const fields = /^Extract these fields from the text below: (.+?)\. Reply/m.exec(lastUser);
  if (fields?.[1]) return extractReply(lastUser, fields[1].split(/,\s*/));
  const recommend = /^Recommend at most (\d+) of the items below/.exec(lastUser);
  if (recommend?.[1]) return recommendReply(lastUser, Number(recommend[1]));
  const question = /^Question: (.*)/s.exec(lastUser);
  if (question?.[1]) return supportReply(question[1].split("\n\nContext:\n")[0]?.trim() ?? "");
  return `The local stand-in upstream received ${messages.length} message(s); the last one was ${lastUser.length} characters long.`;
}

export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
