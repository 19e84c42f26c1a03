// npm run eval for every intent it offers, against the local upstream, as a person runs it.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { INTENT_NAMES } from "../lib/intents/names";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const run = promisify(execFile);
let upstream: LocalUpstream;
// The team's order API as tools.yaml describes it (GET /orders/{orderId}/status): A-1001 is in transit.
let orderApi: Server;
let configRoot: string;
const orderApiAsked: string[] = [];
beforeAll(async () => {
  upstream = await startLocalUpstream();
  orderApi = createServer((req, res) => {
    const id = decodeURIComponent(req.url?.split("/")[2] ?? "");
    orderApiAsked.push(id);
    if (id !== "A-1001") return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such order"}');
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ orderId: id, status: "in transit", eta: "2026-12-04" }));
  });
  await new Promise<void>((resolve) => orderApi.listen(0, "127.0.0.1", resolve));
  const port = (orderApi.address() as AddressInfo).port;
  // A copy of profiles/ whose order_status tool calls that API instead of api.example.com.
  configRoot = mkdtempSync(join(tmpdir(), "eval-intents-"));
  cpSync(join(REPO_ROOT, "profiles"), join(configRoot, "profiles"), { recursive: true });
  const toolsFile = join(configRoot, "profiles/tools.yaml");
  const tools = parse(readFileSync(toolsFile, "utf8")) as { tools: Record<string, Record<string, unknown>> };
  Object.assign(tools.tools.order_status!, { url: `http://127.0.0.1:${port}/orders/{orderId}/status`, allowed_hosts: [`127.0.0.1:${port}`] });
  writeFileSync(toolsFile, stringify(tools));
});
afterAll(async () => {
  await upstream.close();
  await new Promise<void>((resolve) => orderApi.close(() => resolve()));
  rmSync(configRoot, { recursive: true, force: true });
});

function evalCli(args: string[], env: Record<string, string> = {}) {
  return run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/eval.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_CONFIG_ROOT: configRoot, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

interface Summary {
  profile: string;
  passed: number;
  failures: { case: string; failed: string[] }[];
}

async function evalJson(intent: string, profiles: string): Promise<{ code: number; summaries: Summary[] }> {
  const { code, stdout } = await evalCli(["--intent", intent, "--profiles", profiles, "--json"]);
  return { code, summaries: (JSON.parse(stdout) as { summaries: Summary[] }).summaries };
}

const casesOf = (intent: string) => (parse(readFileSync(join(REPO_ROOT, `profiles/evals/${intent}.yaml`), "utf8")) as { cases: { name: string }[] }).cases;
const faqCall = { toolCalls: [{ name: "faq_lookup", arguments: '{"query":"reset password"}' }] };
const orderCall = { toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-1001"}' }] };

describe("npm run eval, every intent", () => {
  it.each(INTENT_NAMES)("runs every golden case of %s against the routed dev profile", async (intent) => {
    const routed = { summarize: "summarize_v2", support: "support_v2", recommend: "recommend_v1", extract: "extract_v1" }[intent];
    // support's tool cases: the stand-in asks for the tool only when told to, then answers from its result.
    if (intent === "support") upstream.enqueue(faqCall, {}, orderCall, {});
    const asked = orderApiAsked.length;
    const { code, summaries } = await evalJson(intent, routed);
    expect(code).toBe(0);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.passed + summaries[0]!.failures.length).toBe(casesOf(intent).length);
    expect(summaries[0]!.failures).toEqual([]);
    // The order case's answer came from the order API's own reply.
    expect(orderApiAsked.slice(asked)).toEqual(intent === "support" ? ["A-1001"] : []);
  }, 60_000);

  it("support against the stand-in left to itself: it never asks for a tool, and the check says so", async () => {
    const { code, summaries } = await evalJson("support", "support_v1,support_v2");
    // v2 is not worse than v1: both answer without tools here.
    expect(code).toBe(0);
    for (const s of summaries) {
      expect(s.failures).toEqual([
        { case: "how-to question looks up the FAQ", failed: ["tools_called faq_lookup (called: none)"] },
        { case: "order question asks the order API and invents nothing", failed: ["tools_called order_status (called: none)"] },
      ]);
    }
  }, 60_000);

  it("support: an answer that states an order status or number no tool returned fails", async () => {
    upstream.enqueue(faqCall, {}, orderCall, { content: "Your order A-1001 was delivered yesterday, and order A-2002 has shipped." });
    const { summaries } = await evalJson("support", "support_v2");
    expect(summaries[0]!.failures).toEqual([
      {
        case: "order question asks the order API and invents nothing",
        failed: ['no_invented_order_data: order "A-2002" in no tool result', 'no_invented_order_data: status "shipped" in no tool result', 'no_invented_order_data: status "delivered" in no tool result'],
      },
    ]);
  }, 60_000);

  it("recommend: a reply without reasons fails reasons_present and the required pick", async () => {
    upstream.setModelFault("hunyuan-turbos-latest", { content: "t1" });
    try {
      const { summaries } = await evalJson("recommend", "recommend_v1");
      expect(summaries[0]!.failures[0]).toEqual({ case: "coffee lover", failed: ["reasons_present (none for: t1)", "required_ids c1 (picked: t1)"] });
    } finally {
      upstream.setModelFault("hunyuan-turbos-latest", undefined);
    }
  }, 60_000);

  it("a missing golden set is an error naming the file and the intents that have cases", async () => {
    const root = mkdtempSync(join(tmpdir(), "eval-missing-"));
    cpSync(join(REPO_ROOT, "profiles"), join(root, "profiles"), { recursive: true });
    rmSync(join(root, "profiles/evals/recommend.yaml"));
    const { code, stderr } = await evalCli(["--intent", "recommend", "--profiles", "recommend_v1"], { MINIASK_CONFIG_ROOT: root });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("eval: profiles/evals/recommend.yaml: no golden cases for intent recommend (cases exist for: extract, summarize, support); write profiles/evals/recommend.yaml as the others are written");
    rmSync(root, { recursive: true, force: true });
  }, 30_000);
});
