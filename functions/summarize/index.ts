import { summarize } from "../../lib/intents/summarize";
import { intentFunction } from "../../lib/runtime/intentFunction";

export const main_handler = intentFunction("summarize", summarize, import.meta.url);
