// TC3-HMAC-SHA256, as Tencent Cloud API 3.0 checks it (cloud.tencent.com/document/api/213/30654):
// the canonical request, the string to sign, the key derived from "TC3" + SecretKey, date,
// service and "tc3_request". The same check fakeTencentApi.ts makes for SCF, for other doubles.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./fakeTencentApi";

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Throws the API's AuthFailure.* code when the request is not signed by `secretId` / `secretKey`; returns the signed service. */
export function verifyTc3Signature(req: IncomingMessage, body: Buffer, secretId: string, secretKey: string): string {
  const auth = String(req.headers.authorization ?? "");
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/(\w+)\/tc3_request, SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new ApiError("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256");
  const [, id, date, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (id !== secretId) throw new ApiError("AuthFailure.SecretIdNotFound", "unknown SecretId");
  const timestamp = Number(req.headers["x-tc-timestamp"]);
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) throw new ApiError("AuthFailure.SignatureExpire", "timestamp more than 5 minutes away");
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) throw new ApiError("AuthFailure.SignatureFailure", "credential date is not the timestamp's");
  const headers = signedHeaders.split(";").map((h) => `${h}:${h === "host" ? String(req.headers.host ?? "").replace(/:\d+$/, "") : String(req.headers[h] ?? "")}\n`).join("");
  const url = new URL(req.url ?? "/", "http://local");
  const canonical = [req.method ?? "POST", url.pathname, url.search.slice(1), headers, signedHeaders, sha256(body)].join("\n");
  const toSign = ["TC3-HMAC-SHA256", String(timestamp), `${date}/${service}/tc3_request`, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), "tc3_request");
  if (hmac(key, toSign).toString("hex") !== signature) throw new ApiError("AuthFailure.SignatureFailure", "signature does not match");
  return service;
}
