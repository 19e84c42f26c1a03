import { recommend } from "../../lib/intents/recommend";
import { functionEntry } from "../../lib/runtime/functionEntry";

export const main_handler = functionEntry({ name: "recommend", intents: { recommend } }, import.meta.url);
