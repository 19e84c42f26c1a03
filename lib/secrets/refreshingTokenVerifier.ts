// Token keys that follow their SSM secret: a token signed by a key this instance does not hold
// (a new kid put first in the secret after this instance started), or whose signature none of
// its keys verifies, makes the instance re-read MINIASK_TOKEN_KEYS once (rate-limited by
// `refresh`) and verify again with what it read. Login signs, and sealed openids open, with the
// current keys too.
import { AppError } from "../appError";
import type { VerifiedClaims } from "../auth/appToken";
import { type TokenKeys, parseTokenKeys } from "../auth/tokenKeys";
import { createTokenVerifier } from "../auth/tokenVerifier";
import type { EnvironmentName } from "../config/schema";

export const TOKEN_KEYS_VARIABLE = "MINIASK_TOKEN_KEYS";

/** The refusals a key this instance has not read yet would explain. */
const KEY_REFUSALS = new Set(["unknown_key", "bad_signature"]);

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

export function refreshingTokenVerifier(options: {
  initial: TokenKeys;
  env: EnvironmentName;
  maxTtlSeconds: number;
  /** The process's variables, updated in place by `refresh`. */
  variables: Readonly<Record<string, string | undefined>>;
  refresh: (variable: string) => Promise<boolean>;
}): { tokenKeys: TokenKeys; verifyToken: TokenVerifier } {
  const build = (keys: TokenKeys) => ({ keys, verify: createTokenVerifier(keys, options.env, undefined, options.maxTtlSeconds) });
  let current = build(options.initial);
  const tokenKeys: TokenKeys = {
    get signing() {
      return current.keys.signing;
    },
    get byKid() {
      return current.keys.byKid;
    },
    get builtInDevKey() {
      return current.keys.builtInDevKey;
    },
  };
  async function claims(token: string): Promise<VerifiedClaims> {
    try {
      return await current.verify.claims(token);
    } catch (err) {
      if (!(err instanceof AppError) || !KEY_REFUSALS.has(err.code) || !(await options.refresh(TOKEN_KEYS_VARIABLE))) throw err;
      let keys: TokenKeys;
      try {
        keys = parseTokenKeys(options.variables[TOKEN_KEYS_VARIABLE], options.env);
      } catch {
        throw err; // a secret rotated into a malformed value: the keys that work stay
      }
      current = build(keys);
      return current.verify.claims(token);
    }
  }
  const verify = async (token: string): Promise<string> => (await claims(token)).sub;
  return { tokenKeys, verifyToken: Object.assign(verify, { claims }) };
}
