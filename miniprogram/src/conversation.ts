// A support chat that remembers: conversation(client).send(question) asks `support` with the
// turns so far as `history`, and keeps the question and its answer when the call succeeds. What
// it sends stays within what the server accepts (generated into SUPPORT_LIMITS from lib/ and
// profiles/): at most maxHistoryTurns turns, each cut to maxTurnChars (support's input schema);
// the input's characters within maxInputChars (the input guard of the strictest environment,
// which counts every string of the input and the context, and context keys); the whole JSON body
// within maxBodyBytes. Oldest turns go first, a question together with its answer, so the
// history still starts with the user.
import { SUPPORT_LIMITS } from "./intents";
import type { IntentInputs } from "./intents";
import { type MiniaskClient, type StreamOptions, type StreamingCall, newTraceId } from "./miniask";

export type SupportTurn = NonNullable<IntentInputs["support"]["history"]>[number];

export type SupportLimits = typeof SUPPORT_LIMITS;

/** UTF-8 bytes of a string as the server counts its body; a lone surrogate as U+FFFD (3). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** At most `max` UTF-16 units (zod's maxLength counts those), never half of a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last < 0xdc00 ? max - 1 : max);
}

/** What the ask body around support's input may hold besides the history (what askBody sends). */
export interface SupportEnvelope {
  question: string;
  userId?: string;
  traceId: string;
  context?: Record<string, string | number | boolean>;
  profile?: string;
}

/** Characters the input guard counts: every string of the input and the context, context keys. */
function inputChars(envelope: SupportEnvelope, history: SupportTurn[]): number {
  let chars = envelope.question.length;
  for (const turn of history) chars += turn.role.length + turn.content.length;
  const context = envelope.context || {};
  for (const key in context) {
    const value = context[key];
    chars += key.length + (typeof value === "string" ? value.length : 0);
  }
  return chars;
}

function bodyBytes(envelope: SupportEnvelope, history: SupportTurn[], limits: SupportLimits): number {
  // An unknown userId (not signed in yet) counts as the longest the server accepts.
  const userId = envelope.userId || "x".repeat(limits.maxUserIdChars);
  const body = { intent: "support", userId, traceId: envelope.traceId, input: { question: envelope.question, history }, context: envelope.context, profile: envelope.profile, stream: true };
  return utf8Bytes(JSON.stringify(body));
}

/** The history to send with this question: within every limit, the newest turns kept. */
export function fitHistory(turns: readonly SupportTurn[], envelope: SupportEnvelope, limits: SupportLimits = SUPPORT_LIMITS): SupportTurn[] {
  const kept: SupportTurn[] = [];
  for (const turn of turns) if (turn.content !== "") kept.push({ role: turn.role, content: cutText(turn.content, limits.maxTurnChars) });
  const dropOldest = () => {
    kept.shift();
    // An answer without its question goes with it.
    while (kept.length > 0 && (kept[0] as SupportTurn).role === "assistant") kept.shift();
  };
  while (kept.length > 0 && (kept[0] as SupportTurn).role === "assistant") kept.shift();
  while (kept.length > limits.maxHistoryTurns) dropOldest();
  while (kept.length > 0 && (inputChars(envelope, kept) > limits.maxInputChars || bodyBytes(envelope, kept, limits) > limits.maxBodyBytes)) dropOldest();
  return kept;
}

export interface Conversation {
  /** Asks support with the history so far; the question and its answer join it when it succeeds. */
  send(question: string, options?: StreamOptions): StreamingCall<string>;
  /** The turns kept so far (a copy), oldest first. */
  history(): SupportTurn[];
  /** Forgets every turn (a new chat). */
  reset(): void;
}

export function conversation(client: Pick<MiniaskClient, "askStream" | "userId">, options: { history?: readonly SupportTurn[]; limits?: SupportLimits } = {}): Conversation {
  const limits = options.limits || SUPPORT_LIMITS;
  let turns: SupportTurn[] = (options.history || []).slice();
  return {
    send(question, sendOptions = {}) {
      const traceId = sendOptions.traceId || newTraceId();
      const asked = question.trim();
      const envelope: SupportEnvelope = { question: asked, userId: client.userId(), traceId, context: sendOptions.context, profile: sendOptions.profile };
      const history = fitHistory(turns, envelope, limits);
      const call = client.askStream("support", { question: asked, history }, Object.assign({}, sendOptions, { traceId }));
      const recorded = call.then((reply) => {
        // Kept: what a later call could still send (with the shortest question, so a turn this
        // long question left out may go with a shorter one).
        turns = fitHistory(turns.concat([{ role: "user", content: asked }, { role: "assistant", content: reply.answer }]), { question: "", traceId: "" }, limits);
        return reply;
      });
      return Object.assign(recorded, { abort: () => call.abort() });
    },
    history: () => turns.slice(),
    reset() {
      turns = [];
    },
  };
}
