// The warm-up timer's entry. Its key may be an `ssm:` reference, like the web functions' own
// MINIASK_WARMUP_KEY: they compare a ping's key with the secret's value, so the timer reads the
// same secret (once per instance, in init, with its role's credentials) and sends the value,
// never the reference. Without `ssm:` variables the SSM client is never loaded.
import { loadSecrets } from "../../lib/secrets/loadSecrets";
import { hasSecretRefs } from "../../lib/secrets/secretRefs";
import { createWarmupHandler } from "../../lib/warmup/warmup";

type WarmupHandler = ReturnType<typeof createWarmupHandler>;

/** The handler for `env`, its `ssm:` variables read first. */
export async function warmupHandlerFor(env: Readonly<Record<string, string | undefined>>): Promise<WarmupHandler> {
  if (!hasSecretRefs(env)) return createWarmupHandler(env);
  const { ssmSecretReader } = await import("../../lib/secrets/ssmReader");
  const secrets = await loadSecrets(env, await ssmSecretReader(env));
  return createWarmupHandler(secrets.env);
}

const ready = warmupHandlerFor(process.env);
// A failed read fails each timer event with its message (naming the variable); until then it is
// not an unhandled rejection that kills the instance without one.
ready.catch(() => undefined);

export const main_handler: WarmupHandler = async (event) => (await ready)(event);
