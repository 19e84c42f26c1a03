// Server-sent events from wx.request's onChunkReceived. Chunks are ArrayBuffers cut anywhere:
// inside an event, inside a line, inside a UTF-8 character. Base libraries have no streaming
// TextDecoder, so the decoding is done here and keeps an unfinished character for the next chunk.

export interface SseEvent {
  event: string;
  data: string;
}

/** Decodes UTF-8 across chunk boundaries; malformed bytes become U+FFFD. */
export function createUtf8Decoder() {
  let pending: number[] = [];
  const lengthOf = (lead: number) => (lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0);
  const secondByteRange = (lead: number): [number, number] =>
    lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
  const fromCodePoint = (cp: number) =>
    cp < 0x10000 ? String.fromCharCode(cp) : String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));

  return {
    decode(chunk: Uint8Array, final = false): string {
      const bytes = pending.length > 0 ? [...pending, ...chunk] : Array.from(chunk);
      pending = [];
      let out = "";
      let i = 0;
      while (i < bytes.length) {
        const lead = bytes[i] as number;
        const length = lengthOf(lead);
        if (length === 0) {
          out += "\ufffd";
          i++;
          continue;
        }
        if (length === 1) {
          out += String.fromCharCode(lead);
          i++;
          continue;
        }
        let cp = lead & (0xff >> (length + 1));
        let k = 1;
        for (; k < length && i + k < bytes.length; k++) {
          const next = bytes[i + k] as number;
          // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
          const [lo, hi] = k === 1 ? secondByteRange(lead) : [0x80, 0xbf];
          if (next < lo || next > hi) break;
          cp = (cp << 6) | (next & 0x3f);
        }
        if (k === length) {
          out += fromCodePoint(cp);
          i += length;
        } else if (i + k >= bytes.length && !final) {
          // A character cut by the chunk boundary: finish it with the next chunk.
          pending = bytes.slice(i);
          break;
        } else {
          // One U+FFFD per maximal ill-formed subpart, as TextDecoder does.
          out += "\ufffd";
          i += k;
        }
      }
      return out;
    },
  };
}

/** Feeds chunks in, calls onEvent for each complete event (blank-line terminated). */
export function createSseParser(onEvent: (event: SseEvent) => void) {
  const decoder = createUtf8Decoder();
  let buffer = "";
  let eventName = "";
  let data: string[] = [];

  const line = (raw: string) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text === "") {
      if (data.length > 0) onEvent({ event: eventName || "message", data: data.join("\n") });
      eventName = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "event") eventName = value;
    else if (field === "data") data.push(value);
  };

  return {
    push(chunk: ArrayBuffer | Uint8Array) {
      buffer += decoder.decode(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
      }
    },
    /** The response ended: a last unterminated line still counts. */
    end() {
      buffer += decoder.decode(new Uint8Array(0), true);
      if (buffer !== "") line(buffer);
      buffer = "";
      line("");
    },
  };
}
