// The execution role (运行角色): what gives a function credentials. SCF sets
// TENCENTCLOUD_SECRETID / SECRETKEY / SESSIONTOKEN in a function's environment only when it has
// one (doc 583/32748; roles: 583/40142), and those are what lib/secrets reads SSM with. A function
// with an `ssm:` variable and no role would deploy fine and then fail at every start, so the
// deploy refuses it before its first call.
import { DeployError } from "./deployError";
import type { ResolvedManifest } from "./manifest";
import { isSecretReference } from "./secretReference";

/** Each function that names an SSM secret but has no role, with the variables that do. */
export function functionsWithoutRole(manifest: ResolvedManifest): { name: string; variables: string[] }[] {
  return manifest.functions.flatMap((fn) => {
    if (fn.role) return [];
    const variables = Object.entries(fn.environment).filter(([, value]) => isSecretReference(value)).map(([key]) => key);
    return variables.length > 0 ? [{ name: fn.name, variables }] : [];
  });
}

export function requireExecutionRole(manifest: ResolvedManifest): void {
  const without = functionsWithoutRole(manifest);
  if (without.length === 0) return;
  throw new DeployError(
    `stage ${manifest.stage}: no execution role, so SCF gives no credentials to read SSM with, for ${without.map((f) => `${f.name} (${f.variables.join(", ")})`).join(", ")}. ` +
      "Set `role` in serverless.yml (inputs or the function; e.g. MINIASK_SCF_ROLE=<CAM role> in the deploying shell) to a role that may call ssm:GetSecretValue on them (README: Secrets from SSM), then deploy again.",
  );
}
