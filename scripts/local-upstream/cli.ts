// The local upstream as its own process (benchmarks): prints {"port"} once listening.
import { commandLine, defineCommand } from "../support/cli";
import { startLocalUpstream } from "./server";

const UPSTREAM_COMMAND = defineCommand({
  command: "tsx scripts/local-upstream/cli.ts",
  summary: "The local OpenAI-compatible stand-in upstream as its own process (benchmarks): prints {\"port\",\"delayMs\"} once listening.",
  options: {
    port: { type: "number", default: 0, description: "the port to listen on (0: any free one)" },
    delay: { type: "number", value: "MS", default: 0, description: "every answer waits this long" },
  },
});

const { values } = commandLine(UPSTREAM_COMMAND);
const upstream = await startLocalUpstream({ port: values.port });
const delayMs = values.delay;
if (delayMs > 0) upstream.setDefault({ delayMs });
// Recording every request would grow without bound under load.
upstream.requests.push = () => 0;
console.log(JSON.stringify({ port: upstream.port, delayMs }));
