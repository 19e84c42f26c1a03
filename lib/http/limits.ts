/** Bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What a caller's trace id may look like (header or body); anything else gets a new one. */
export const TRACE_ID = /^[\w.:-]{1,64}$/;
