// An environment variable whose value is `ssm:<SecretName>` (or `ssm:<SecretName>@<VersionId>`)
// names a secret in Tencent Cloud's Secrets Manager (SSM) instead of holding it: the deployed
// function's variables (readable by anyone with console read rights) never carry the value.
import { ConfigError } from "../config/configError";

export const SSM_PREFIX = "ssm:";

/**
 * GetSecretValue requires a VersionId (ssm_models.d.ts: GetSecretValueRequest). A secret created
 * without one has the initial version `SSM_Current` (CreateSecretRequest.VersionId), which is
 * also what reads the version in use of a cloud-product secret.
 */
export const DEFAULT_VERSION_ID = "SSM_Current";

// CreateSecretRequest: a name of at most 128 bytes of letters, digits, - and _, starting with a
// letter or digit; a version of at most 64 bytes of letters, digits, - _ and ., likewise.
const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const VERSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface SecretRef {
  /** The environment variable that names the secret (MINIASK_TOKEN_KEYS, HUNYUAN_API_KEY, ...). */
  variable: string;
  secretName: string;
  versionId: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** True when some variable names an SSM secret: only then is the SSM client loaded. */
export function hasSecretRefs(env: Env): boolean {
  return Object.values(env).some((value) => value?.startsWith(SSM_PREFIX));
}

/** Every `ssm:` variable, parsed; a malformed reference is a ConfigError naming the variable. */
export function secretRefsOf(env: Env): SecretRef[] {
  const refs: SecretRef[] = [];
  const problems: string[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!value?.startsWith(SSM_PREFIX)) continue;
    const reference = value.slice(SSM_PREFIX.length);
    const at = reference.lastIndexOf("@");
    const secretName = at === -1 ? reference : reference.slice(0, at);
    const versionId = at === -1 ? DEFAULT_VERSION_ID : reference.slice(at + 1);
    if (!SECRET_NAME.test(secretName) || !VERSION_ID.test(versionId)) {
      problems.push(`environment variable ${variable}: expected ssm:<SecretName> or ssm:<SecretName>@<VersionId> (a name of letters, digits, - and _; a version of letters, digits, - _ and .)`);
    } else refs.push({ variable, secretName, versionId });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return refs;
}
