// Checks that fit recommend answers: only items of the given list, each with its reason.

interface Listed {
  ids: string[];
  limit: number;
}

/** The ids the request listed (a plain string item is numbered from 1, as the intent does) and its limit. */
export function listedItems(input: Record<string, unknown>): Listed {
  const items = Array.isArray(input.items) ? input.items : [];
  const ids = items.map((item, i) => (typeof item === "string" ? String(i + 1) : String((item as { id?: unknown } | null)?.id ?? "")));
  return { ids, limit: typeof input.limit === "number" ? input.limit : 3 };
}

function picksOf(answer: unknown): { id?: unknown; reason?: unknown }[] | undefined {
  return Array.isArray(answer) && answer.every((a) => a !== null && typeof a === "object") ? (answer as { id?: unknown; reason?: unknown }[]) : undefined;
}

/** Every pick is a listed item, none twice, no more than the limit. */
export function unlistedPicks(answer: unknown, input: Record<string, unknown>): string[] {
  const picks = picksOf(answer);
  if (!picks || picks.length === 0) return ["only_listed_ids (no list of picks)"];
  const { ids, limit } = listedItems(input);
  const got = picks.map((p) => String(p.id));
  const failed: string[] = [];
  const unlisted = got.filter((id) => !ids.includes(id));
  if (unlisted.length > 0) failed.push(`only_listed_ids (unlisted: ${unlisted.join(", ")})`);
  const twice = got.filter((id, i) => got.indexOf(id) !== i);
  if (twice.length > 0) failed.push(`only_listed_ids (twice: ${[...new Set(twice)].join(", ")})`);
  if (got.length > limit) failed.push(`only_listed_ids (${got.length} picks, limit ${limit})`);
  return failed;
}

/** Every pick says why. */
export function picksWithoutReason(answer: unknown): string[] {
  const picks = picksOf(answer) ?? [];
  const bare = picks.filter((p) => typeof p.reason !== "string" || p.reason.trim() === "").map((p) => String(p.id));
  return bare.length > 0 ? [`reasons_present (none for: ${bare.join(", ")})`] : [];
}

/** Ids the answer had to pick. */
export function missingPicks(required: readonly string[], answer: unknown): string[] {
  const got = (picksOf(answer) ?? []).map((p) => String(p.id));
  return required.filter((id) => !got.includes(id)).map((id) => `required_ids ${id} (picked: ${got.join(", ") || "none"})`);
}
