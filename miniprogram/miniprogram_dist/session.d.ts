import type { WxLike } from "./wx";
export interface Session {
    token: string;
    userId: string;
    /** Seconds since the epoch; 0 when unknown (then it is used until the server says 401). */
    expiresAt: number;
}
export declare function isSession(value: unknown): value is Session;
export declare function createSessionKeeper(deps: {
    wxApi: WxLike;
    storageKey: string;
    loginUrl: string;
    now: () => number;
    refreshMarginSeconds: number;
    timeoutMs: number;
    newTraceId: () => string;
    initial: Session | undefined;
}): {
    login: (traceId?: string) => Promise<Session>;
    current(traceId: string): Promise<Session>;
    /** The server refused the token: the next call logs in again. */
    drop(): void;
    logout(): void;
    userId: () => string | undefined;
};
