// A local stand-in for scf.tencentcloudapi.com: the official SDK, pointed at it through
// httpProfile.endpoint, makes real signed HTTP calls; this keeps state and records each call.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface FnState {
  params: Record<string, unknown>;
  versions: string[];
  aliases: Map<string, Record<string, unknown>>;
  triggers: { Type: string; TriggerName: string; Qualifier?: string; TriggerDesc?: string }[];
  provisioned: Map<string, Record<string, unknown>>;
}

export interface FakeTencentApi {
  endpoint: string;
  calls: { action: string; params: Record<string, unknown>; authorization: string }[];
  functions: Map<string, FnState>;
  close(): Promise<void>;
}

export async function startFakeTencentApi(): Promise<FakeTencentApi> {
  const calls: FakeTencentApi["calls"] = [];
  const functions = new Map<string, FnState>();
  const namespaces = new Set<string>(["default"]);
  const notFound = (what: string) => ({ Error: { Code: "ResourceNotFound.Function", Message: `${what} not found` } });

  const handle = (action: string, p: Record<string, unknown>): Record<string, unknown> => {
    const name = String(p.FunctionName ?? "");
    const fn = functions.get(name);
    switch (action) {
      case "ListNamespaces":
        return { Namespaces: [...namespaces].map((Name) => ({ Name })), TotalCount: namespaces.size };
      case "CreateNamespace":
        namespaces.add(String(p.Namespace));
        return {};
      case "GetFunction":
        return fn ? { ...fn.params, Status: "Active", FunctionName: name } : notFound(name);
      case "CreateFunction":
        functions.set(name, { params: { ...p, Code: undefined }, versions: [], aliases: new Map(), triggers: [], provisioned: new Map() });
        return {};
      case "UpdateFunctionCode":
        return fn ? {} : notFound(name);
      case "UpdateFunctionConfiguration":
        if (!fn) return notFound(name);
        Object.assign(fn.params, p);
        return {};
      case "PublishVersion": {
        if (!fn) return notFound(name);
        const version = String(fn.versions.length + 1);
        fn.versions.push(version);
        return { FunctionVersion: version, FunctionName: name };
      }
      case "GetAlias": {
        const alias = fn?.aliases.get(String(p.Name));
        return alias ? { ...alias } : { Error: { Code: "ResourceNotFound.Alias", Message: "alias not found" } };
      }
      case "CreateAlias":
      case "UpdateAlias":
        if (!fn) return notFound(name);
        fn.aliases.set(String(p.Name), { Name: p.Name, FunctionVersion: p.FunctionVersion, RoutingConfig: p.RoutingConfig ?? { AdditionalVersionWeights: [] } });
        return {};
      case "ListTriggers":
        return { Triggers: fn?.triggers ?? [], TotalCount: fn?.triggers.length ?? 0 };
      case "CreateTrigger": {
        if (!fn) return notFound(name);
        let desc = String(p.TriggerDesc ?? "");
        if (p.Type === "http") {
          const parsed = JSON.parse(desc) as { NetConfig: Record<string, unknown> };
          parsed.NetConfig.ExtranetUrl = `https://1250000000-${name}.ap-guangzhou.tencentscf.com`;
          desc = JSON.stringify(parsed);
        }
        fn.triggers.push({ Type: String(p.Type), TriggerName: String(p.TriggerName), Qualifier: String(p.Qualifier ?? "$LATEST"), TriggerDesc: desc });
        return { TriggerInfo: { Type: p.Type, TriggerName: p.TriggerName, TriggerDesc: desc } };
      }
      case "PutProvisionedConcurrencyConfig":
        if (!fn) return notFound(name);
        if (p.Qualifier === "$LATEST" || !fn.versions.includes(String(p.Qualifier))) return { Error: { Code: "InvalidParameterValue.Qualifier", Message: "not a published version" } };
        fn.provisioned.set(String(p.Qualifier), { ...p });
        return {};
      case "GetProvisionedConcurrencyConfig":
        return { Allocated: fn ? [...fn.provisioned.values()] : [], UnallocatedConcurrencyNum: 100 };
      case "DeleteProvisionedConcurrencyConfig":
        fn?.provisioned.delete(String(p.Qualifier));
        return {};
      default:
        return { Error: { Code: "InvalidAction", Message: `fake API does not know ${action}` } };
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const action = String(req.headers["x-tc-action"] ?? "");
      const params = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      calls.push({ action, params, authorization: String(req.headers.authorization ?? "") });
      const result = handle(action, params);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ Response: { ...result, RequestId: `req-${calls.length}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    functions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
