import type OpenAI from "openai";
import type { ModelTarget } from "../../lib/models/modelTargets";

type OpenAISdk = typeof import("openai");

// The SDK is ~150 KB of the bundle and ~30 ms of a cold start. Loaded on the first model call
// (or the warm-up ping), so the auth function never pays for it and neither do the cache hits,
// refusals and 4xx answers of a fresh instance.
let sdk: OpenAISdk | undefined;
let loading: Promise<OpenAISdk> | undefined;

function loadSdk(): Promise<OpenAISdk> {
  loading ??= import("openai").then((mod) => (sdk = mod));
  return loading;
}

/** The SDK's error classes, once a call has loaded it; before that no error can be one of them. */
export function loadedSdk(): OpenAISdk | undefined {
  return sdk;
}

// Built on first use and kept for the life of a warm instance: constructing a client per
// request would repeat its setup on the hot path.
const clients = new Map<string, OpenAI>();

export async function openaiClientFor(target: Pick<ModelTarget, "baseUrl" | "apiKey">): Promise<OpenAI> {
  const key = `${target.baseUrl}\u0000${target.apiKey}`;
  const known = clients.get(key);
  if (known) return known;
  const { OpenAI: Client } = sdk ?? (await loadSdk());
  let client = clients.get(key);
  if (!client) {
    // Retries are ours (the fallback chain), so the SDK's own are off.
    client = new Client({ baseURL: target.baseUrl, apiKey: target.apiKey, maxRetries: 0 });
    clients.set(key, client);
  }
  return client;
}
