// Staging and prod serve from many instances at once: without a shared store each instance
// keeps its own rate limits, quota, cache and audit records (limits multiply by the instance
// count; audit records vanish with the instance). A forgotten MINIASK_STORE in the deploying
// shell is enough for that, so the deploy refuses it before touching anything.
import { DeployError } from "./deployError";
import type { ResolvedManifest } from "./manifest";

export const STORE_VARIABLE = "MINIASK_STORE";

export function requireSharedStore(manifest: ResolvedManifest): void {
  if (manifest.stage === "dev") return;
  const without = manifest.functions.filter((f) => f.type === "web" && !f.environment[STORE_VARIABLE]?.trim()).map((f) => f.name);
  if (without.length === 0) return;
  throw new DeployError(
    `stage ${manifest.stage}: ${STORE_VARIABLE} is empty for ${without.join(", ")} (serverless.yml resolves \${env:${STORE_VARIABLE}} from the deploying shell). ` +
      `Staging and prod need a shared store (redis://... or an Upstash URL): export ${STORE_VARIABLE} and deploy again.`,
  );
}
