/** What each intent takes as `input` (fields with a server default are optional). */
export interface IntentInputs {
    summarize: {
        /** 1-20000 characters */
        text: string;
        /** 1-20; an integer; default 5 */
        maxBullets?: number;
    };
    support: {
        /** 1-4000 characters */
        question: string;
        /** at most 20 items */
        history?: readonly {
            role: "user" | "assistant";
            /** 1-4000 characters */
            content: string;
        }[];
    };
    recommend: {
        /** 1-50 items */
        items: readonly (string | {
            /** 1-64 characters; matches /^[\w.:-]+$/ */
            id: string;
            /** 1-200 characters */
            title: string;
            /** at most 10 items */
            tags?: readonly string[];
        })[];
        preferences?: string | readonly string[];
        /** 1-20; an integer; default 3 */
        limit?: number;
    };
    extract: {
        /** 1-20000 characters */
        text: string;
        /** 1-30 items */
        fields: readonly string[];
    };
}
/** What each intent answers: `answer` in the reply. */
export interface IntentAnswers {
    summarize: string;
    support: string;
    recommend: {
        id: string;
        title: string;
        reason: string;
    }[];
    extract: {
        [key: string]: string | number | boolean | null;
    };
}
export type IntentName = keyof IntentInputs;
/** What support's input and the ask body may hold; conversation() keeps history within them. */
export declare const SUPPORT_LIMITS: {
    maxHistoryTurns: number;
    maxTurnChars: number;
    maxQuestionChars: number;
    maxUserIdChars: number;
    maxBodyBytes: number;
    maxInputChars: number;
};
