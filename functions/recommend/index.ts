import { recommend } from "../../lib/intents/recommend";
import { intentFunction } from "../../lib/runtime/intentFunction";

export const main_handler = intentFunction("recommend", recommend, import.meta.url);
