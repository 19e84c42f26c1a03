// --dry-run: reads go through (when there are credentials to read with), writes are only
// recorded, and what the run itself "created" reads back as existing and Active, so the plan
// runs to the end and shows every write the real deploy would make.
import type { ScfAction, ScfApi, ScfRequest, ScfResponse } from "./scfApi";

class NotFoundInDryRun extends Error {
  readonly code = "ResourceNotFound.DryRun";
}

export type WriteLog = (action: ScfAction, params: object) => void;

export function recordingScfApi(read: ScfApi | undefined, log: WriteLog): ScfApi {
  const created = new Set<string>();
  const published = new Map<string, number>();
  const provisioned = new Map<string, string[]>();
  const nothing = () => Promise.reject(new NotFoundInDryRun("no credentials: assuming nothing exists yet"));
  const write =
    <A extends ScfAction>(action: A, answer: (req: ScfRequest<A>) => ScfResponse<A> | Promise<ScfResponse<A>>) =>
    async (req: ScfRequest<A>): Promise<ScfResponse<A>> => {
      log(action, req);
      return answer(req);
    };
  const nextVersion = async (name: string, namespace: string | undefined): Promise<string> => {
    let last = published.get(name);
    if (last === undefined) {
      const listed = read ? await read.ListVersionByFunction({ FunctionName: name, Namespace: namespace, Limit: 100 }).catch(() => ({ Versions: [] })) : { Versions: [] };
      last = Math.max(0, ...(listed.Versions ?? []).map((v) => Number(v.Version)).filter(Number.isFinite));
    }
    published.set(name, last + 1);
    return String(last + 1);
  };
  return {
    ListNamespaces: (req) => (read ? read.ListNamespaces(req) : Promise.resolve({ Namespaces: [] })),
    GetFunction: (req) => {
      const name = req.FunctionName ?? "";
      const planned = req.Qualifier ? req.Qualifier === String(published.get(name)) : created.has(name);
      if (planned) return Promise.resolve({ Status: "Active", FunctionName: name });
      return read ? read.GetFunction(req) : nothing();
    },
    ListVersionByFunction: (req) => (read && !created.has(req.FunctionName) ? read.ListVersionByFunction(req) : Promise.resolve({ Versions: [] })),
    GetAlias: (req) => (read && !created.has(req.FunctionName) ? read.GetAlias(req) : nothing()),
    ListTriggers: (req) => (read && !created.has(req.FunctionName) ? read.ListTriggers(req) : Promise.resolve({ Triggers: [] })),
    GetProvisionedConcurrencyConfig: async (req) => {
      const real = read && !created.has(req.FunctionName) ? ((await read.GetProvisionedConcurrencyConfig(req)).Allocated ?? []) : [];
      const planned = (provisioned.get(req.FunctionName) ?? []).map((Qualifier) => ({ Qualifier, Status: "Done" }));
      return { Allocated: [...real, ...planned] };
    },
    CreateNamespace: write("CreateNamespace", () => ({})),
    CreateFunction: write("CreateFunction", (req) => (created.add(req.FunctionName), {})),
    UpdateFunctionCode: write("UpdateFunctionCode", () => ({})),
    UpdateFunctionConfiguration: write("UpdateFunctionConfiguration", () => ({})),
    PublishVersion: write("PublishVersion", async (req) => ({ FunctionVersion: await nextVersion(req.FunctionName, req.Namespace) })),
    CreateAlias: write("CreateAlias", () => ({})),
    UpdateAlias: write("UpdateAlias", () => ({})),
    // The URL SCF would assign, as a placeholder, so the plan runs on to the warm-up function.
    CreateTrigger: write("CreateTrigger", (req) => (req.Type === "http" ? { TriggerInfo: { Type: "http", TriggerName: req.TriggerName, TriggerDesc: JSON.stringify({ NetConfig: { ExtranetUrl: `https://<Function URL of ${req.FunctionName}>` } }) } } : {})),
    UpdateTrigger: write("UpdateTrigger", () => ({})),
    PutProvisionedConcurrencyConfig: write("PutProvisionedConcurrencyConfig", (req) => {
      provisioned.set(req.FunctionName, [...(provisioned.get(req.FunctionName) ?? []), req.Qualifier]);
      return {};
    }),
    DeleteProvisionedConcurrencyConfig: write("DeleteProvisionedConcurrencyConfig", () => ({})),
    GetCustomDomain: (req) => (read ? read.GetCustomDomain(req) : nothing()),
    CreateCustomDomain: write("CreateCustomDomain", () => ({})),
    UpdateCustomDomain: write("UpdateCustomDomain", () => ({})),
  };
}
