/** One server-sent event. JSON.stringify leaves no raw newline, so one data line suffices. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  // Proxies in front of a web function must not buffer the stream.
  "x-accel-buffering": "no",
} as const;
