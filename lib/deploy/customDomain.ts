// Step 6, once per stage: one custom domain (CreateCustomDomain / UpdateCustomDomain, read back
// with GetCustomDomain; all three in tencentcloud-sdk-nodejs-scf 4.1.151's scf_client.d.ts)
// routing a path to every web function's alias, HTTPS with the stage's certificate. A Mini
// Program then allow-lists one host, not one Function URL host per function.
import type { DeployContext } from "./deployContext";
import type { ResolvedManifest } from "./manifest";
import { isNotFound } from "./scfApi";
import type { CreateCustomDomainRequest, EndpointsConf, GetCustomDomainResponse } from "./scfModels";

/** Where a web function answers on the domain: https://<domain>/<function>/v1/mini/... */
export const domainPath = (functionName: string): string => `/${functionName}`;

/**
 * One route per web function: PathMatch `/<fn>/*` (EndpointsConf's grammar: /, /*, /xxx,
 * /xxx/a, /xxx/*) to its alias, with the prefix rewritten away so the function sees the paths
 * it serves (/v1/mini/ask). PathRewriteRule {Path, Type WildcardRules|ExactRules, Rewrite}: the
 * SDK gives "/, /$" as examples of Rewrite; that `$` stands for what `*` matched is our reading,
 * unconfirmed: check one request's path after the first deploy.
 */
export function domainEndpoints(manifest: ResolvedManifest): EndpointsConf[] {
  return manifest.functions
    .filter((fn) => fn.type === "web")
    .map((fn) => ({
      Namespace: manifest.namespace,
      FunctionName: fn.scfName,
      Qualifier: manifest.alias,
      PathMatch: `${domainPath(fn.name)}/*`,
      PathRewrite: [{ Path: `${domainPath(fn.name)}/*`, Type: "WildcardRules", Rewrite: "/$" }],
    }));
}

function desiredDomain(manifest: ResolvedManifest, domain: NonNullable<ResolvedManifest["domain"]>): CreateCustomDomainRequest {
  return { Domain: domain.name, Protocol: "HTTPS", EndpointsConfig: domainEndpoints(manifest), CertConfig: { CertificateId: domain.certificateId } };
}

const routesKey = (endpoints: readonly EndpointsConf[] | undefined): string =>
  JSON.stringify(
    (endpoints ?? [])
      .map((e) => [e.Namespace, e.FunctionName, e.Qualifier, e.PathMatch, (e.PathRewrite ?? []).map((r) => [r.Path, r.Type, r.Rewrite])])
      .sort((a, b) => String(a[3]).localeCompare(String(b[3]))),
  );

function sameDomain(have: GetCustomDomainResponse, want: CreateCustomDomainRequest): boolean {
  return have.Protocol === want.Protocol && have.CertConfig?.CertificateId === want.CertConfig?.CertificateId && routesKey(have.EndpointsConfig) === routesKey(want.EndpointsConfig);
}

async function readDomain(ctx: DeployContext, name: string): Promise<GetCustomDomainResponse | undefined> {
  try {
    return await ctx.api.GetCustomDomain({ Domain: name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates or updates the stage's domain when it differs; returns its host, or undefined without one. */
export async function ensureCustomDomain(ctx: DeployContext): Promise<string | undefined> {
  const { domain } = ctx.manifest;
  if (!domain) return undefined;
  const want = desiredDomain(ctx.manifest, domain);
  const have = await readDomain(ctx, domain.name);
  if (!have) {
    ctx.log(`custom domain ${domain.name}: ${want.EndpointsConfig.length} routes`);
    await ctx.api.CreateCustomDomain(want);
  } else if (!sameDomain(have, want)) {
    ctx.log(`custom domain ${domain.name}: routes or certificate changed`);
    await ctx.api.UpdateCustomDomain(want);
  }
  return domain.name;
}
