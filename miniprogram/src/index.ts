// The package's entry (miniprogram_dist/index.js after `npm run build:miniprogram`): what a Mini
// Program gets from require("miniask-client") once DevTools' "构建 npm" has copied it.
export * from "./miniask";
export { conversation, fitHistory } from "./conversation";
export type { Conversation, SupportEnvelope, SupportLimits, SupportTurn } from "./conversation";
export { SUPPORT_LIMITS } from "./intents";
