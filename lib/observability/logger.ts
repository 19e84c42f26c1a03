import { writeSync } from "node:fs";
import type { LogLevel } from "../config/schema";
import type { LogFields, Logger } from "../log/logger";

// The types are owned by lib/log (where low-level rooms may import them); named here too for
// the importers that also take createLogger.
export type { LogFields, Logger };

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Lines of one event-loop turn go out in one write: fewer syscalls under load, and the
// request never waits on stdout. On exit whatever is left is written synchronously.
let pending: string[] = [];
let scheduled = false;
function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const chunk = `${pending.join("\n")}\n`;
  pending = [];
  process.stdout.write(chunk);
}
process.on("exit", () => {
  if (pending.length > 0) writeSync(1, `${pending.join("\n")}\n`);
  pending = [];
});

function writeStdout(line: string): void {
  pending.push(line);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

/**
 * One JSON object per line: SCF ships stdout to CLS, whose key-value index can then query
 * every field (traceId, code, ms) without parsing text.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = writeStdout,
  now: () => Date = () => new Date(),
  /** Applied to every string field before the line is written (environments that redact). */
  redactFields?: (fields: LogFields) => LogFields,
): Logger {
  const emit = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const safe = fields && redactFields ? redactFields(fields) : fields;
    write(JSON.stringify({ time: now().toISOString(), level: at, msg, ...safe }));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}
