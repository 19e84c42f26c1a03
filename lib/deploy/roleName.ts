// serverless.yml's `role` after ${env:...} is resolved: a CAM role name, or none.
import { ConfigError } from "../config/configError";

// CAM's CreateRoleRequest.RoleName (cam_models.d.ts): 1..128 characters, letters, digits and +=,.@-_.
const ROLE_NAME = /^[\w+=,.@-]{1,128}$/;

/** The resolved `role`, checked as a CAM role name; none when it is empty (unset ${env:...}). */
export function resolveRole(where: string, role: string): string | undefined {
  if (role === "") return undefined;
  if (!ROLE_NAME.test(role)) throw new ConfigError([`${where}.role: "${role}" is not a CAM role name (1-128 letters, digits or +=,.@-_)`]);
  return role;
}
