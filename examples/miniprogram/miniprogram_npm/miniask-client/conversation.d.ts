import { SUPPORT_LIMITS } from "./intents";
import type { IntentInputs } from "./intents";
import { type MiniaskClient, type StreamOptions, type StreamingCall } from "./miniask";
export type SupportTurn = NonNullable<IntentInputs["support"]["history"]>[number];
export type SupportLimits = typeof SUPPORT_LIMITS;
/** UTF-8 bytes of a string as the server counts its body; a lone surrogate as U+FFFD (3). */
export declare function utf8Bytes(text: string): number;
/** At most `max` UTF-16 units (zod's maxLength counts those), never half of a surrogate pair. */
export declare function cutText(text: string, max: number): string;
/** What the ask body around support's input may hold besides the history (what askBody sends). */
export interface SupportEnvelope {
    question: string;
    userId?: string;
    traceId: string;
    context?: Record<string, string | number | boolean>;
    profile?: string;
}
/** The history to send with this question: within every limit, the newest turns kept. */
export declare function fitHistory(turns: readonly SupportTurn[], envelope: SupportEnvelope, limits?: SupportLimits): SupportTurn[];
export interface Conversation {
    /** Asks support with the history so far; the question and its answer join it when it succeeds. */
    send(question: string, options?: StreamOptions): StreamingCall<string>;
    /** The turns kept so far (a copy), oldest first. */
    history(): SupportTurn[];
    /** Forgets every turn (a new chat). */
    reset(): void;
}
export declare function conversation(client: Pick<MiniaskClient, "askStream" | "userId">, options?: {
    history?: readonly SupportTurn[];
    limits?: SupportLimits;
}): Conversation;
