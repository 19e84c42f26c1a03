// Calls the team's own API for a tool. The URL comes from a template in config; the model only
// fills its parameters (validated), and the final host must be on the tool's allow-list.
import { AppError } from "../appError";
import type { ToolSpec } from "../config/schema";

type HttpTool = Extract<ToolSpec, { kind: "http" }>;

const MAX_RESULT_CHARS = 4000;

export function httpToolUrl(tool: HttpTool, args: Record<string, unknown>): { url: URL; rest: Record<string, unknown> } {
  const rest = { ...args };
  const filled = tool.url.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value ?? ""));
  });
  const url = new URL(filled);
  if (!tool.allowed_hosts.includes(url.host) && !tool.allowed_hosts.includes(url.hostname)) {
    throw new AppError(502, "tool_host_not_allowed", `tool URL host ${url.host} is not on the allow-list`);
  }
  return { url, rest };
}

export async function callHttpTool(tool: HttpTool, args: Record<string, unknown>): Promise<string> {
  const { url, rest } = httpToolUrl(tool, args);
  if (tool.method === "GET") for (const [key, value] of Object.entries(rest)) url.searchParams.set(key, String(value));
  const res = await fetch(url, {
    method: tool.method,
    redirect: "error", // a redirect could leave the allow-list
    signal: AbortSignal.timeout(tool.timeout_ms),
    headers: { accept: "application/json", ...(tool.method === "POST" ? { "content-type": "application/json" } : {}) },
    ...(tool.method === "POST" ? { body: JSON.stringify(rest) } : {}),
  });
  const text = (await res.text()).slice(0, MAX_RESULT_CHARS);
  return res.ok ? text : JSON.stringify({ error: `the API answered ${res.status}` });
}
