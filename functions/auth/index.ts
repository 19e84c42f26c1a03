import { functionEntry } from "../../lib/runtime/functionEntry";

export const main_handler = functionEntry({ name: "auth", intents: {}, serveLogin: true }, import.meta.url);
