// Calls the team's own API for a tool. The URL comes from a template in config; the model only
// fills its parameters (validated), and the final host must be on the tool's allow-list. A path
// parameter can never walk the path (no `/`, `\`, `.` or `..`), the reply is read only up to a
// cap, and the team's API learns who asked (a hash of the user) so it can check ownership.
import { AppError } from "../appError";
import type { ToolSpec } from "../config/schema";
import { jsonDepth, MAX_JSON_DEPTH } from "../request/jsonLimits";

type HttpTool = Extract<ToolSpec, { kind: "http" }>;

/** What the model reads of a tool's reply. */
export const MAX_RESULT_CHARS = 4000;
/** What is read off the wire at most, whatever the API sends. */
const MAX_RESULT_BYTES = 64 * 1024;

/** Who a tool call is for, as the team's API receives it (headers X-Miniask-User, X-Trace-Id). */
export interface ToolCaller {
  traceId: string;
  /** A stable hash of the userId (documented in the README), never the userId itself. */
  userHash: string;
}

function pathValue(name: string, value: unknown): string {
  const text = String(value ?? "");
  if (text === "" || text === "." || text === ".." || /[/\\]/.test(text)) {
    throw new AppError(400, "tool_argument_not_allowed", `tool parameter ${name} may not be empty, ".", ".." or contain "/" or "\\"`);
  }
  return encodeURIComponent(text);
}

export function httpToolUrl(tool: HttpTool, args: Record<string, unknown>): { url: URL; rest: Record<string, unknown> } {
  const rest = { ...args };
  const filled = tool.url.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return pathValue(name, value);
  });
  const url = new URL(filled);
  if (!tool.allowed_hosts.includes(url.host) && !tool.allowed_hosts.includes(url.hostname)) {
    throw new AppError(502, "tool_host_not_allowed", `tool URL host ${url.host} is not on the allow-list`);
  }
  return { url, rest };
}

/** The body's first MAX_RESULT_BYTES; the rest is never read. */
async function readCapped(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_RESULT_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  void reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_RESULT_BYTES).toString("utf8");
}

export async function callHttpTool(tool: HttpTool, args: Record<string, unknown>, caller: ToolCaller, timeoutMs = tool.timeout_ms): Promise<string> {
  const { url, rest } = httpToolUrl(tool, args);
  if (tool.method === "GET") for (const [key, value] of Object.entries(rest)) url.searchParams.set(key, String(value));
  const signal = AbortSignal.timeout(Math.min(tool.timeout_ms, timeoutMs));
  const res = await fetch(url, {
    method: tool.method,
    redirect: "error", // a redirect could leave the allow-list
    signal,
    headers: {
      accept: "application/json",
      "x-miniask-user": caller.userHash,
      "x-trace-id": caller.traceId,
      ...(tool.method === "POST" ? { "content-type": "application/json" } : {}),
    },
    ...(tool.method === "POST" ? { body: JSON.stringify(rest) } : {}),
  });
  if (!res.ok) {
    void res.body?.cancel().catch(() => undefined);
    return JSON.stringify({ error: `the API answered ${res.status}` });
  }
  const text = await readCapped(res);
  // JSON from outside: the same depth limit as every other.
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return JSON.stringify({ error: "the API's reply was nested too deep to use" });
  return text.slice(0, MAX_RESULT_CHARS);
}
