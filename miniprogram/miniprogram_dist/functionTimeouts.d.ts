export declare const FUNCTION_TIMEOUT_MS: Readonly<Record<string, number>>;
