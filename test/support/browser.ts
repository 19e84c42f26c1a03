// A headless Chromium that comes from the project's own dependencies, not from apt:
// @sparticuz/chromium ships a packed Chromium inside its npm package and unpacks it to /tmp
// (about 2 s the first time). CHROMIUM_PATH still points at another browser when set.
import sparticuz from "@sparticuz/chromium";
import { type Browser, chromium } from "playwright-core";

// As the workplace's probe ran it: no sandbox as root, and nothing reaching out to the network.
const QUIET_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || (await sparticuz.executablePath());
  const args = process.env.CHROMIUM_PATH ? QUIET_FLAGS : [...new Set([...sparticuz.args, ...QUIET_FLAGS])];
  return chromium.launch({ executablePath, args, headless: true });
}
