// A provider call's own deadline, from the request to the last byte of the reply. The SDK's
// `timeout` stops waiting for headers only: an upstream that sends headers and then stalls held
// a request for minutes. This one aborts the call itself when the time is up.
export class ModelTimeout extends Error {}

export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  outer?.addEventListener("abort", stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new ModelTimeout());
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", stop);
  }
}

/** Replies longer than this are refused before any shaping, redaction or guard reads them. */
export function maxReplyChars(maxTokens: number): number {
  return Math.max(16_384, maxTokens * 16);
}
