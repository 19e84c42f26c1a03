// Tencent Cloud API 3.0's request signature (TC3-HMAC-SHA256), checked as the API checks it:
// cloud.tencent.com/document/api/213/30654. Doubles of Tencent APIs (CLS here) verify every call
// with it, so a client that signs wrongly fails in tests as it would in production.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";

export class TencentApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Throws AuthFailure.* as the API answers: bad header, unknown key, stale time, wrong signature. */
/**
 * The credential scope's service is taken as signed: the SDK derives it from the endpoint's first
 * label (abstract_client.js), which in tests is 127.0.0.1, not the product's name.
 */
export function verifyTc3Signature(req: IncomingMessage, body: Buffer, secretId: string, secretKey: string): void {
  const auth = String(req.headers.authorization ?? "");
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/(\w+)\/tc3_request, SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new TencentApiError("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256");
  const [, id, date, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (id !== secretId) throw new TencentApiError("AuthFailure.SecretIdNotFound", "unknown SecretId");
  const timestamp = Number(req.headers["x-tc-timestamp"]);
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) throw new TencentApiError("AuthFailure.SignatureExpire", "timestamp more than 5 minutes away");
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) throw new TencentApiError("AuthFailure.SignatureFailure", "credential date is not the timestamp's");
  const headers = signedHeaders
    .split(";")
    .map((h) => `${h}:${h === "host" ? String(req.headers.host ?? "").replace(/:\d+$/, "") : String(req.headers[h] ?? "")}\n`)
    .join("");
  const url = new URL(req.url ?? "/", "http://local");
  const canonical = [req.method ?? "POST", url.pathname, url.search.slice(1), headers, signedHeaders, sha256(body)].join("\n");
  const toSign = ["TC3-HMAC-SHA256", String(timestamp), `${date}/${service}/tc3_request`, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), "tc3_request");
  if (hmac(key, toSign).toString("hex") !== signature) throw new TencentApiError("AuthFailure.SignatureFailure", "signature does not match");
}
