import { extract } from "../../lib/intents/extract";
import { functionEntry } from "../../lib/runtime/functionEntry";

export const main_handler = functionEntry({ name: "extract", intents: { extract } }, import.meta.url);
