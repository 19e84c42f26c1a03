// Rewrites one function's provisioned-concurrency setting in scripts/deploy/stages.yml and
// leaves the rest of the text as it was: comments, order, other stages. Pure (text in, text
// out); `npm run plan -- --write` does the file I/O.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import * as z from "zod/mini";
import { ConfigError } from "../config/configError";
import { describeIssueAt } from "../validation/describeIssue";
import { STAGES_FILE, parseStages } from "./manifest";
import { type Provisioned, provisionedSchema } from "./stagesSchema";

export function writeProvisionedSchedule(text: string, stage: string, functionName: string, schedule: Provisioned): string {
  const checked = z.safeParse(provisionedSchema, schedule);
  if (!checked.success) throw new ConfigError(checked.error.issues.map((issue) => `schedule for ${functionName}: ${describeIssueAt(issue, schedule)}`));
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError([`${STAGES_FILE}: not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`]);
  // Refuse to write into a file that is already wrong, or a stage that does not exist.
  parseStages(doc.toJS());
  const path = ["stages", stage, "provisioned"];
  if (!isMap(doc.getIn(path))) throw new ConfigError([`${STAGES_FILE}: no stages.${stage}.provisioned`]);
  const node = doc.createNode(checked.data);
  const actions = node.get("actions", true);
  // One line per action, as the file writes them by hand.
  if (isSeq(actions)) {
    for (const item of actions.items) {
      if (!isMap(item)) continue;
      item.flow = true;
      const cron = item.get("cron", true);
      if (isScalar(cron)) cron.type = "QUOTE_DOUBLE";
    }
  }
  if (checked.data.mode !== "scheduled") node.flow = true;
  doc.setIn([...path, functionName], node);
  const out = doc.toString({ lineWidth: 0 });
  parseStages(parseDocument(out).toJS());
  return out;
}
