import OpenAI from "openai";
import type { ModelTarget } from "./modelTargets";

// Built on first use and kept for the life of a warm instance: constructing a client per
// request would repeat its setup on the hot path.
const clients = new Map<string, OpenAI>();

export function openaiClientFor(target: Pick<ModelTarget, "baseUrl" | "apiKey">): OpenAI {
  const key = `${target.baseUrl}\u0000${target.apiKey}`;
  let client = clients.get(key);
  if (!client) {
    // Retries are ours (the fallback chain), so the SDK's own are off.
    client = new OpenAI({ baseURL: target.baseUrl, apiKey: target.apiKey, maxRetries: 0 });
    clients.set(key, client);
  }
  return client;
}
