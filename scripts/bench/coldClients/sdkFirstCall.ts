// A fresh process's first model call through the openai SDK, as lib/models makes it today
// (openaiClientFor loads the SDK on first use; Node loads its fetch on the first request).
// Bundled like a function (scripts/bench/clientCost.ts) and run once per cold start.
// zod/mini and the completion schema are in every function's entry already: loaded up front here too.
import * as z from "zod/mini";
import { completionSchema } from "../../../lib/models/completionSchema";
import { openaiClientFor } from "../sdkClient";

const started = performance.now();
const client = await openaiClientFor({ baseUrl: process.env.UPSTREAM ?? "", apiKey: "bench" });
const loaded = performance.now();
const reply = await client.chat.completions.create(JSON.parse(process.env.BODY ?? "{}"), { timeout: 30_000, maxRetries: 0 });
const answered = performance.now();
console.log(JSON.stringify({ msg: "answered", bootMs: started, loadMs: loaded - started, callMs: answered - loaded, ok: z.safeParse(completionSchema, reply).success }));
process.exit(0);
