import { summarize } from "../../lib/intents/summarize";
import { functionEntry } from "../../lib/runtime/functionEntry";

export const main_handler = functionEntry({ name: "summarize", intents: { summarize } }, import.meta.url);
