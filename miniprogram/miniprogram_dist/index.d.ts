export * from "./miniask";
export { conversation, fitHistory } from "./conversation";
export type { Conversation, SupportEnvelope, SupportLimits, SupportTurn } from "./conversation";
export { SUPPORT_LIMITS } from "./intents";
