// Before eval or replay sends a model request to MINIASK_UPSTREAM_URL: one TCP connection to its
// host and port, so an upstream that is down is one line naming it and what to check (exit 1),
// not a table where every case "failed" with model_unavailable. Only the connection is tried:
// no request, no key sent.
import { connect } from "node:net";
import { UnreachableError } from "./cli";

const CONNECT_TIMEOUT_MS = 3000;

function hostAndPort(url: URL): { host: string; port: number } {
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/** Resolves when a TCP connection to the URL's host and port opens; the error otherwise. */
export function tryConnect(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const { host, port } = hostAndPort(new URL(url));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}

/** Throws UnreachableError when the upstream at `url` (from `variable`) takes no connection. */
export async function requireReachableUpstream(url: string | undefined, variable = "MINIASK_UPSTREAM_URL"): Promise<void> {
  if (!url) return;
  try {
    await tryConnect(url);
  } catch (err) {
    const why = (err as { code?: unknown }).code ?? (err instanceof Error ? err.message : "");
    throw new UnreachableError("the upstream", `${url} (${variable}${why ? `; ${String(why)}` : ""})`, "check that the OpenAI-compatible server is running there and that the URL is right (the base URL, before /chat/completions), or unset it to use the provider keys");
  }
}

const CONNECTION_FAILURES = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/;

/** The network error code when `err` says a connection failed (an SDK's wrapped fetch error included), else undefined. */
export function connectionFailure(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const text = `${typeof code === "string" ? code : ""} ${err instanceof Error ? err.message : String(err)}`;
  return CONNECTION_FAILURES.exec(text)?.[1];
}
