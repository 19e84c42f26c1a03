// Which attempt outcomes (lib/models' FailureKind, plus "ok") speak about a provider's health.
// Kept as strings so this module does not depend on the chain's internals.

/**
 * - success: the provider answered (a 4xx `rejected` is an answer too: the target is up, our
 *   request was wrong, and opening the breaker would only hide that bug);
 * - failure: it did not (timeout, refused connection, 5xx, 429, an unusable body);
 * - undefined: no call was made (skipped by Retry-After, by the deadline or by a breaker) or
 *   the outcome is unknown to this version: nothing to record.
 */
export function attemptVerdict(outcome: string): "success" | "failure" | undefined {
  switch (outcome) {
    case "ok":
    case "rejected":
      return "success";
    case "timeout":
    case "connection":
    case "server_error":
    case "rate_limited":
    case "bad_response":
      return "failure";
    default:
      return undefined;
  }
}
