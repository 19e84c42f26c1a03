import { extract } from "../../lib/intents/extract";
import { intentFunction } from "../../lib/runtime/intentFunction";

export const main_handler = intentFunction("extract", extract, import.meta.url);
