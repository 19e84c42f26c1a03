// Where a target's chat-completions requests go, and the keep-alive agents that carry them.
// One agent per protocol for the life of the process: a warm instance reuses its sockets (and
// TLS sessions) across requests, which is most of what a model call costs us locally.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";

export interface WireTarget {
  /** OpenAI-compatible base URL, e.g. `https://api.example.com/v1`. */
  baseUrl: string;
  apiKey: string;
}

export interface Endpoint {
  https: boolean;
  hostname: string;
  port: number;
  path: string;
}

// An idle socket is closed after 30 s, or earlier when the server's `Keep-Alive: timeout=N`
// hint says so: Node's agent honours the hint only when it lowers an agent timeout that is
// set (keepSocketAlive in lib/_http_agent.js), so the timeout must be set for the hint to count.
// LIFO reuses the most recently used socket, so spare ones idle out instead of staying warm.
const agentOptions = { keepAlive: true, scheduling: "lifo" as const, timeout: 30_000 };
const httpAgent = new HttpAgent(agentOptions);
const httpsAgent = new HttpsAgent(agentOptions);

export function agentFor(endpoint: Endpoint): HttpAgent {
  return endpoint.https ? httpsAgent : httpAgent;
}

const endpoints = new Map<string, Endpoint>();

/** `<baseUrl>/chat/completions`, parsed once per base URL. */
export function chatCompletionsEndpoint(baseUrl: string): Endpoint {
  const known = endpoints.get(baseUrl);
  if (known) return known;
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}/chat/completions`);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`openaiWire: base URL must be http(s), got ${url.protocol}`);
  const https = url.protocol === "https:";
  const endpoint = { https, hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port ? Number(url.port) : https ? 443 : 80, path: `${url.pathname}${url.search}` };
  endpoints.set(baseUrl, endpoint);
  return endpoint;
}
