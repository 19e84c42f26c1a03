// The `ssm:` variables of a process, read once at init and kept in memory; re-read on demand
// after a failed use (a provider's 401, a token signed by a key this instance does not hold),
// which is how a rotated secret reaches an instance that is already running.
import { ConfigError } from "../config/configError";
import { type SecretRef, secretRefsOf } from "./secretRefs";
import { SecretReadError, type SecretReader } from "./ssmReader";

/**
 * A failed use may be a client's doing (anyone can send a token with an unknown kid), so a
 * variable is re-read at most once a minute: SSM calls are billed and rate-limited, and an
 * attacker must not be able to turn bad requests into a stream of them.
 */
export const MIN_REFRESH_INTERVAL_MS = 60_000;

export interface LoadedSecrets {
  /** The process's variables with every `ssm:` value replaced by its secret; refresh updates it. */
  env: Record<string, string | undefined>;
  /** The variables whose values came from SSM. */
  fromSsm: ReadonlySet<string>;
  /**
   * Reads `variable`'s secret again after a failed use. Resolves true when the value changed
   * (the caller then rebuilds what it made from it), false when it did not, when the variable is
   * not an `ssm:` one (local runs), when it was re-read less than a minute ago, or when the read
   * failed (the old value stays; `onRefreshError` hears why).
   */
  refresh(variable: string): Promise<boolean>;
}

export interface LoadSecretsOptions {
  minRefreshIntervalMs?: number;
  now?: () => number;
  onRefreshError?: (err: SecretReadError) => void;
}

/** Reads every `ssm:` variable (in parallel); any failure is a ConfigError naming each one. */
export async function loadSecrets(processEnv: Readonly<Record<string, string | undefined>>, read: SecretReader, options: LoadSecretsOptions = {}): Promise<LoadedSecrets> {
  const refs = new Map(secretRefsOf(processEnv).map((ref) => [ref.variable, ref]));
  const env: Record<string, string | undefined> = { ...processEnv };
  const problems: string[] = [];
  await Promise.all(
    [...refs.values()].map(async (ref) => {
      try {
        env[ref.variable] = await read(ref);
      } catch (err) {
        problems.push(asReadError(ref, err).message);
      }
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return { env, fromSsm: new Set(refs.keys()), refresh: refresher(refs, env, read, options) };
}

/**
 * Any failure as a SecretReadError naming the variable and the secret. Besides SSM's answers (which
 * ssmReader turns into SecretReadErrors), a reader can fail on its own: credentials gone from the
 * environment (a ConfigError saying which), or a bug (only its name: a message could quote data).
 */
function asReadError(ref: SecretRef, err: unknown): SecretReadError {
  if (err instanceof SecretReadError) return err;
  const why = err instanceof ConfigError ? err.problems.join("; ") : err instanceof Error ? err.name : "error";
  return new SecretReadError(ref.variable, "ReadFailed", `${ref.variable}: reading SSM secret ${ref.secretName} failed (${why})`);
}

function refresher(refs: ReadonlyMap<string, SecretRef>, env: Record<string, string | undefined>, read: SecretReader, options: LoadSecretsOptions): (variable: string) => Promise<boolean> {
  const now = options.now ?? Date.now;
  const interval = options.minRefreshIntervalMs ?? MIN_REFRESH_INTERVAL_MS;
  // The first re-read after init is free: a key rotated just after this instance started is
  // picked up by the first request that needs it.
  const lastRead = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();
  return (variable) => {
    const ref = refs.get(variable);
    if (!ref) return Promise.resolve(false);
    const running = inFlight.get(variable);
    if (running) return running;
    if (now() - (lastRead.get(variable) ?? Number.NEGATIVE_INFINITY) < interval) return Promise.resolve(false);
    lastRead.set(variable, now());
    const work = read(ref)
      .then((value) => {
        const changed = value !== env[variable];
        env[variable] = value;
        return changed;
      })
      .catch((err: unknown) => {
        options.onRefreshError?.(asReadError(ref, err));
        return false;
      })
      .finally(() => inFlight.delete(variable));
    inFlight.set(variable, work);
    return work;
  };
}
