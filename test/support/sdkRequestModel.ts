// A request model of a Tencent Cloud SDK, read from its *_models.d.ts: the fields the API takes
// and the ones it requires. Doubles refuse what the model lacks (UnknownParameter) and require
// what it marks required (MissingParameter), as the API does, without copying field lists.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface RequestModel {
  fields: Set<string>;
  required: Set<string>;
}

/** `modelsPath`: a package path such as "tencentcloud-sdk-nodejs-ssm/.../ssm_models.d.ts". */
export function sdkRequestModel(modelsPath: string, interfaceName: string): RequestModel {
  const text = readFileSync(createRequire(import.meta.url).resolve(modelsPath), "utf8");
  const body = new RegExp(`export interface ${interfaceName} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
  if (body === undefined) throw new Error(`${modelsPath}: no interface ${interfaceName}`);
  const fields = new Set<string>();
  const required = new Set<string>();
  for (const [, field, optional] of body.matchAll(/^ {4}(\w+)(\?)?:/gm)) {
    fields.add(field!);
    if (!optional) required.add(field!);
  }
  return { fields, required };
}
