// A fresh process's first model call through lib/openaiWire, loaded on first use as the SDK is
// (scripts/bench/coldClients/sdkFirstCall.ts is the same call through the SDK).
// zod/mini and the completion schema are in every function's entry already: loaded up front here too.
import * as z from "zod/mini";
import { completionSchema } from "../../../lib/models/completionSchema";

const started = performance.now();
const { complete } = await import("../../../lib/openaiWire");
const loaded = performance.now();
const reply = await complete({ baseUrl: process.env.UPSTREAM ?? "", apiKey: "bench" }, JSON.parse(process.env.BODY ?? "{}"), { timeoutMs: 30_000 });
const answered = performance.now();
console.log(JSON.stringify({ msg: "answered", bootMs: started, loadMs: loaded - started, callMs: answered - loaded, ok: z.safeParse(completionSchema, reply).success }));
process.exit(0);
