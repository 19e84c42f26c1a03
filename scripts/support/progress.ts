// Progress of a long run (`eval 3/12 cases`), on one stderr line rewritten in place, for a person
// at a terminal only: nothing when stderr is not a TTY (a pipe, a file, a test), in CI (CI set
// to anything but "" or "false", as GitHub Actions and most CI services set CI=true) or when the
// caller asked for --json. stdout, the result, is never touched.

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** One more done; `step` names what is being done next (shown after the count). */
  tick(step?: string): void;
  /** Shows `step` without counting (a phase with no count: "building the bundles"). */
  status(step: string): void;
  /** Clears the line. */
  done(): void;
}

export interface ProgressOptions {
  /** --json or anything else that wants a quiet stderr. */
  quiet?: boolean;
  stream?: ProgressStream;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Whether progress is shown at all: a TTY, not CI, not asked to be quiet. */
export function showsProgress(options: ProgressOptions = {}): boolean {
  const stream = options.stream ?? process.stderr;
  const ci = (options.env ?? process.env).CI;
  return stream.isTTY === true && !options.quiet && (ci === undefined || ci === "" || ci === "false");
}

const CLEAR = "\r\x1b[2K";

/** `label done/total unit[: step]` (`label: step` when total is 0), rewritten in place; a no-op where showsProgress is false. */
export function createProgress(label: string, total: number, unit: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!showsProgress(options)) return { tick: () => undefined, status: () => undefined, done: () => undefined };
  let count = 0;
  let shown = false;
  const draw = (step?: string) => {
    // Cut to one terminal line: a wrapped line cannot be rewritten in place.
    const width = (stream as { columns?: number }).columns || 80;
    // No total (a run of unknown length): the label and the step only.
    const line = total > 0 ? `${label} ${count}/${total} ${unit}${step ? `: ${step}` : ""}` : `${label}${step ? `: ${step}` : ""}`;
    stream.write(`${CLEAR}${line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
    shown = true;
  };
  draw();
  return {
    tick(step) {
      count = Math.min(total, count + 1);
      draw(step);
    },
    status(step) {
      draw(step);
    },
    done() {
      if (shown) stream.write(CLEAR);
      shown = false;
    },
  };
}
