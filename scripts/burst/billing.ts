// How SCF bills a request when an instance serves several at once: what burst and plan say beside
// their instance GB-s. Tencent's billing doc gives "resource usage = configured function memory
// size * execution duration" per invocation (product 583/12284, Billing Mode) and idle provisioned
// instances by "number of idle instances * configured memory * idle duration" (583/44256); we
// found no Tencent statement of how overlapping requests on one instance are counted (searched
// the billing, concurrency and multi-concurrency pages). Alibaba Function Compute and Huawei
// FunctionGraph publish that they bill an instance's active time once, however many requests
// overlap; if SCF bills each request's duration instead, multiple concurrency saves cold starts
// and idle provisioned GB-s but not resource usage.
export const BILLING_NOTE =
  "Billing under multiple concurrency: SCF's billing doc (583/12284) bills memory x execution duration per invocation and does not say how requests overlapping on one instance count; we could not find it. Instance GB-s is the instance-time bill (as Alibaba FC and Huawei FunctionGraph state theirs); if SCF bills each request's duration, the sum of durations is the bill instead.";
