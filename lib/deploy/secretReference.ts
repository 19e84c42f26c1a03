// A variable whose value is `ssm:<secret-name>` (or `ssm:<secret-name>@<version>`) names a
// secret in Tencent Secrets Manager instead of holding it: the deploy sends the reference as the
// value, the function reads the secret with its role's credentials (lib/secrets), and the value
// never passes through the deploying shell, the deploy's output or the function's configuration
// (GetFunction shows the reference only). Plain values and ${env:...} keep working for dev.
// The grammar is the runtime's own (lib/secrets/secretRefs.ts): what the deploy accepts, the
// function can read. SSM names are letters, digits, - and _: no `/`.
import { ConfigError } from "../config/configError";
import { SSM_PREFIX, secretRefsOf } from "../secrets/secretRefs";

export const isSecretReference = (value: string): boolean => value.startsWith(SSM_PREFIX);

/** Refuses a malformed reference at load, naming where (the function) and the variable. */
export function checkSecretReference(where: string, key: string, value: string): void {
  if (!isSecretReference(value)) return;
  try {
    secretRefsOf({ [key]: value });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => `${where}: ${p} (got "${value}")`));
    throw err;
  }
}
