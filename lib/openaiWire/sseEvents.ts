// Server-sent events (WHATWG HTML, "event stream interpretation") from text that arrives cut
// anywhere. The text is already decoded: the response's setEncoding("utf8") keeps a character
// cut between chunks for the next one. (miniprogram/src/sseParser.ts does the same for the
// Mini Program, which has no streaming decoder; this one is for Node's hot path.)

export interface SseEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
}

export interface SseEventParser {
  /** Feeds text in; returns the events it completed. */
  push(text: string): SseEvent[];
  /** Characters held for an unfinished line or event. */
  pending(): number;
}

export function createSseEventParser(): SseEventParser {
  let buffer = "";
  let eventName = "";
  let data: string[] = [];
  let held = 0;

  const line = (raw: string, out: SseEvent[]) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text === "") {
      if (data.length > 0) out.push({ event: eventName || "message", data: data.join("\n") });
      eventName = "";
      data = [];
      held = 0;
      return;
    }
    if (text.charCodeAt(0) === 58 /* ":" comment */) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? "" : text.charCodeAt(colon + 1) === 32 ? text.slice(colon + 2) : text.slice(colon + 1);
    if (field === "data") {
      data.push(value);
      held += value.length;
    } else if (field === "event") eventName = value;
  };

  return {
    push(text) {
      const out: SseEvent[] = [];
      buffer += text;
      let start = 0;
      for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n", start)) {
        line(buffer.slice(start, newline), out);
        start = newline + 1;
      }
      buffer = start === 0 ? buffer : buffer.slice(start);
      return out;
    },
    pending: () => buffer.length + held,
  };
}
