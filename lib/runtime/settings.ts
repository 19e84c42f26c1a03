// Process environment variables, parsed like any other outside input.
import * as z from "zod/mini";
import { ConfigError } from "../config/configError";
import { ENVIRONMENTS } from "../config/environments";
import { describeIssueAt } from "../validation/describeIssue";

const settingsSchema = z.object({
  MINIASK_ENV: z._default(z.enum(ENVIRONMENTS), "dev"),
  MINIASK_UPSTREAM_URL: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, "expected an http(s) URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1"))),
  MINIASK_UPSTREAM_KEY: z.optional(z.string()),
  PORT: z._default(z.string().check(z.regex(/^\d{1,5}$/, "expected a port number")), "9000"),
  WECHAT_APPID: z.optional(z.string().check(z.regex(/^wx[0-9a-f]{16}$/, "expected a Mini Program AppID like wx0123456789abcdef"))),
  WECHAT_SECRET: z.optional(z.string().check(z.minLength(16))),
  WECHAT_API_BASE: z._default(z.string().check(z.regex(/^https?:\/\/\S+$/, "expected an http(s) URL")), "https://api.weixin.qq.com"),
  MINIASK_STORE: z.optional(z.string()),
  /** Separates environments (and test runs) that share one Redis. */
  MINIASK_STORE_PREFIX: z.optional(z.string().check(z.regex(/^[\w:.-]{1,64}$/, "expected letters, digits and _ : . -"))),
  /** Overrides the env policy's limits.store_timeout_ms for this deployment (a slower store, a busy test machine). */
  MINIASK_STORE_TIMEOUT_MS: z.optional(z.string().check(z.regex(/^\d{2,5}$/, "expected milliseconds, 10..99999"))),
  /** "off" turns rate limits and quotas off, in dev only (benchmarks). */
  MINIASK_RATE_LIMITS: z._default(z.enum(["on", "off"]), "on"),
  MINIASK_USER_ID_SALT: z.optional(z.string().check(z.minLength(32, "expected at least 32 characters"))),
  /**
   * Behind a proxy that sets the caller's address in a header (SCF's Function URL front end:
   * x-scf-remote-addr), that header's name; unset, the socket's peer is the client IP.
   */
  MINIASK_CLIENT_IP_HEADER: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, "expected a lower-case header name"))),
  /** Shared by the warm-up timer and the web functions: only its pings may hold an instance. */
  MINIASK_WARMUP_KEY: z.optional(z.string().check(z.minLength(16, "expected at least 16 characters"))),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Unset and empty are the same thing for an environment variable. */
function withoutEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== "") out[key] = value;
  return out;
}

export function readSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const clean = withoutEmpty(env);
  const result = z.safeParse(settingsSchema, clean);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `environment variable ${describeIssueAt(issue, clean)}`));
  }
  return result.data;
}
