// A refine job sits in the store for minutes: where the environment keeps no raw user text
// (logs or audit records redacted or off), the job keeps the input and context redacted too,
// and the refinement is computed from that (phone numbers, e-mails, ID numbers blanked).
import type { ResolvedEnvironment } from "../config/config";
import { redactDeep } from "../observability/redact";
import type { RefineJob } from "./refineEntry";

export function redactsStoredText(env: Pick<ResolvedEnvironment, "logging" | "audit">): boolean {
  return env.logging.content !== "full" || env.audit.keep_request !== "full";
}

export function redactJobWith(redact: (text: string) => string): (job: RefineJob) => RefineJob {
  return (job) => ({
    ...job,
    input: redactDeep(job.input, redact),
    ...(job.context ? { context: redactDeep(job.context, redact) as RefineJob["context"] } : {}),
  });
}
