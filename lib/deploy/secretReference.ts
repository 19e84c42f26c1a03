// A variable whose value is `ssm:<secret-name>` names a secret in Tencent Secrets Manager
// instead of holding it: the deploy sends the reference as the value, the function reads the
// secret with its role's credentials (lib/secrets), and the value never passes through the
// deploying shell, the deploy's output or the function's configuration (GetFunction shows the
// reference only). Plain values and ${env:...} keep working for local runs and dev.
import { ConfigError } from "../config/configError";

export const SSM_PREFIX = "ssm:";

// CreateSecret's SecretName (tencentcloud-sdk-nodejs-ssm, ssm_models.d.ts): at most 128 bytes,
// letters, digits, - and _, starting with a letter or digit. So no `/`: miniask-prod-token-keys.
const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const isSecretReference = (value: string): boolean => value.startsWith(SSM_PREFIX);

/** Refuses a malformed reference at load, naming the variable (and the function). */
export function checkSecretReference(where: string, key: string, value: string): void {
  if (!isSecretReference(value)) return;
  const name = value.slice(SSM_PREFIX.length);
  if (!SECRET_NAME.test(name)) {
    throw new ConfigError([`${where}: ${key}: "${value}" is not ssm:<secret-name> (an SSM secret name is 1-128 letters, digits, - or _, starting with a letter or digit)`]);
  }
}
