import { support } from "../../lib/intents/support";
import { functionEntry } from "../../lib/runtime/functionEntry";

export const main_handler = functionEntry({ name: "support", intents: { support } }, import.meta.url);
