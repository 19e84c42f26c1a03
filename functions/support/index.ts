import { support } from "../../lib/intents/support";
import { intentFunction } from "../../lib/runtime/intentFunction";

export const main_handler = intentFunction("support", support, import.meta.url);
