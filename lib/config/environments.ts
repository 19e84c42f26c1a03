// The deployment environments, kept apart from the config schemas so runtime code that only
// needs the names does not load (and build) every schema at cold start.
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];
