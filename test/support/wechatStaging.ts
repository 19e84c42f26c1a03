// Staging as shipped, with WeChat's content check on and closed when unavailable (a check that
// cannot run refuses), and a login through the fake WeChat whose token carries the openid.
import { randomUUID } from "node:crypto";
import type { RawConfigFiles } from "../../lib/config/loadConfig";
import { type Harness, shippedConfigFiles } from "./harness";

export function stagingWithWechat(): RawConfigFiles {
  const f = structuredClone(shippedConfigFiles()) as RawConfigFiles & { envPolicy: { environments: Record<string, Record<string, unknown>> } };
  const staging = f.envPolicy.environments.staging!;
  staging.content_security = { ...(staging.content_security as object), on_unavailable: "closed" };
  return f;
}

/** A real WeChat login (the fake WeChat knows `ok-<openid>` codes). */
export async function wechatLogin(h: Harness): Promise<{ token: string; userId: string }> {
  const res = await fetch(`${h.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: `ok-o-${randomUUID().slice(0, 8)}` }) });
  return (await res.json()) as { token: string; userId: string };
}
