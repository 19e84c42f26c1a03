// The local upstream as its own process (benchmarks): prints {"port"} once listening.
import { startLocalUpstream } from "./server";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const upstream = await startLocalUpstream({ port: arg("--port", 0) });
const delayMs = arg("--delay", 0);
if (delayMs > 0) upstream.setDefault({ delayMs });
// Recording every request would grow without bound under load.
upstream.requests.push = () => 0;
console.log(JSON.stringify({ port: upstream.port, delayMs }));
