// `npm start` as a child process: waits for its start-up lines (or its exit).
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./harness";

/** Provider keys and upstream unset, so a test decides them. */
export const KEYLESS = { HUNYUAN_API_KEY: "", DEEPSEEK_API_KEY: "", DASHSCOPE_API_KEY: "", MINIASK_UPSTREAM_URL: "", MINIASK_TOKEN_KEYS: "", MINIASK_STORE: "" };

export interface Spawned {
  child: ChildProcess;
  output: string;
  port?: number;
  code?: number | null;
}

export interface SpawnOptions {
  /**
   * Called with the server's own pid before it has started (e.g. to put it under a CPU quota).
   * The server then runs as `node --import tsx`, with no tsx launcher process in between, so
   * the pid is the process that serves.
   */
  onSpawn?: (pid: number) => void;
}

export function spawnServer(env: Record<string, string>, options: SpawnOptions = {}): Promise<Spawned> {
  const spawnEnv = { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, PORT: "0", ...env } };
  const child = options.onSpawn ? spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], spawnEnv) : spawn(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/start.ts"], spawnEnv);
  if (options.onSpawn && child.pid !== undefined) options.onSpawn(child.pid);
  let output = "";
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (port && /dev token:|login:/.test(output)) setTimeout(() => resolve({ child, output, port: Number(port[1]) }), 50);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => resolve({ child, output, code }));
  });
}
