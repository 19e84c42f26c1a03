export interface Usage {
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
}
export interface AskResult<A = unknown> {
    answer: A;
    traceId: string;
    intent: string;
    profile: string;
    model: string;
    usage: Usage;
    cached: boolean;
    /** A refining profile's whole (non-streamed) reply: `refine(refine.id)` gives the refined answer. */
    refine?: {
        id: string;
    };
    /** A refining profile through askStream: the fast answer that `answer` (refined) replaced. */
    draft?: A;
    /** Whether `answer` is the refined one; false when refinement failed and the draft stayed. */
    refined?: boolean;
    /** Providers that failed before the one that answered, and why. */
    attempts?: unknown[];
}
/** POST /v1/mini/refine: the refined answer of an earlier /ask. */
export interface RefineResult<A = unknown> {
    answer: A;
    traceId: string;
    profile: string;
    model: string;
    usage: Usage;
    refined: true;
}
/** GET /v1/mini/flags: the profile each intent will use for this user, and its features. */
export interface Flags {
    env: string;
    configHash: string;
    intents: Record<string, {
        profile: string;
        arm: string;
        features: {
            streaming: boolean;
            refine: boolean;
            cache: boolean;
            tools: boolean;
        };
    }>;
}
