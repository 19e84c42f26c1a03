// `npm run token -- --env staging <userId>`: a staging token from the staging key the operator's
// shell holds, so the staging steps can be followed by hand; prod never.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { verifyAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { REPO_ROOT, TEST_TOKEN_KEYS } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

function token(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/token.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, MINIASK_ENV: "", ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
}

describe("npm run token -- --env staging", () => {
  it("mints a staging token with the shell's staging key: staging verifies it, dev and prod do not", async () => {
    const run = await token(["--env", "staging", "u_staging"], { MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('staging token for u_staging, key "k2026"');
    const minted = run.stdout.trim().split("\n").at(-1)!;
    expect((await verifyAppToken(parseTokenKeys(TEST_TOKEN_KEYS, "staging"), "staging", minted)).sub).toBe("u_staging");
    await expect(verifyAppToken(parseTokenKeys(TEST_TOKEN_KEYS, "prod"), "prod", minted)).rejects.toMatchObject({ code: "wrong_audience" });
    await expect(verifyAppToken(parseTokenKeys(undefined, "dev"), "dev", minted)).rejects.toMatchObject({ status: 401 });
    expect((await token(["u_staging", "--env=staging"], { MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS })).code).toBe(0);
  });

  it("without the staging key in the shell (or with only its ssm: name), says so and exits 1 with no token", async () => {
    const missing = await token(["--env", "staging", "u_1"], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("MINIASK_TOKEN_KEYS: required in staging");
    expect(missing.stdout).toBe("");
    const named = await token(["--env", "staging", "u_1"], { MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys" });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain("MINIASK_TOKEN_KEYS names an SSM secret");
    expect(named.stdout).toBe("");
  });

  it("never mints a prod token, by flag or by MINIASK_ENV: a clear error, exit 1", async () => {
    for (const run of [await token(["--env", "prod", "u_1"], { MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS }), await token(["u_1"], { MINIASK_ENV: "prod", MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS })]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("never mints prod tokens");
      expect(run.stdout).toBe("");
    }
  });

  it("mints staging only when asked by flag, and refuses unknown environments and stray arguments", async () => {
    const leftover = await token(["u_1"], { MINIASK_ENV: "staging", MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS });
    expect(leftover.code).toBe(2);
    expect(leftover.stderr).toContain("pass --env staging");
    expect(leftover.stdout).toBe("");
    const unknown = await token(["--env", "production", "u_1"], { MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--env: expected dev or staging, got "production"');
    for (const args of [["--env", "staging"], ["--verbose", "u_1"], ["u_1", "u_2"]]) expect((await token(args, { MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS })).code).toBe(2);
  });
});
