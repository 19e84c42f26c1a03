// Token counts as the chain reports them (lib/models' Usage has the same shape); declared here so
// cost arithmetic does not depend on the model client's internals.
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}
