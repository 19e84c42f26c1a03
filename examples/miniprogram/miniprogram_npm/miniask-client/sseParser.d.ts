export interface SseEvent {
    event: string;
    data: string;
}
/** Decodes UTF-8 across chunk boundaries; malformed bytes become U+FFFD. */
export declare function createUtf8Decoder(): {
    decode(chunk: Uint8Array, final?: boolean): string;
};
/** Feeds chunks in, calls onEvent for each complete event (blank-line terminated). */
export declare function createSseParser(onEvent: (event: SseEvent) => void): {
    push(chunk: ArrayBuffer | Uint8Array): void;
    /** The response ended: a last unterminated line still counts. */
    end(): void;
};
