import { extract } from "./extract";
import type { Intent } from "./intent";
import type { IntentName } from "./names";
import { recommend } from "./recommend";
import { summarize } from "./summarize";
import { support } from "./support";

export const INTENTS: Readonly<Record<IntentName, Intent>> = { summarize, support, recommend, extract };
