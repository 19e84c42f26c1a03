// The SDK's own request and response models, re-exported from one place: every SCF call and
// the test double's answers are typed with these, so a field the API lacks fails tsc.
export type * from "tencentcloud-sdk-nodejs-scf/tencentcloud/services/scf/v20180416/scf_models";
