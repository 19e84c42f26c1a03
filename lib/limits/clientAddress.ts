// Which address a request came from, for the per-IP limit. Only what the platform's front end
// adds can be trusted: a client may send `x-scf-remote-addr` (or X-Forwarded-For) itself, and a
// proxy that appends keeps the client's value in front of its own. So the LAST hop is the one
// the front end wrote; the first is whatever the client chose (issue #25: a new first value per
// request gave 70 failed logins with no 429, and someone else's address locked them out).
import { isIP } from "node:net";
import type { Logger } from "../log/logger";

/**
 * The front end's hop of a header value (`a, b, c` -> `c`), as a bare IP: third-party parsers of
 * SCF events show `ip:port` (platform-facts.md, "Client IP"), and a port changes with every
 * connection, so it is dropped (`1.2.3.4:5678`, `[::1]:5678`). Undefined when the hop is not an
 * IP address: such requests share the limit of unknown addresses rather than pick their own.
 */
export function clientAddressOf(headerValue: string | undefined): string | undefined {
  if (headerValue === undefined) return undefined;
  const hop = headerValue.slice(headerValue.lastIndexOf(",") + 1).trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  const address = bracketed?.[1] ?? v4WithPort?.[1] ?? hop;
  return isIP(address) ? address : undefined;
}

/**
 * One info line per instance, the first time an address is read: the header and what was taken
 * from it, so an operator can confirm on the first deploy that the front end sets it (and how).
 */
export function logAddressOnce(logger: Logger | undefined): (header: string, raw: string | undefined, address: string | undefined) => void {
  let logged = false;
  return (header, raw, address) => {
    if (logged || !logger) return;
    logged = true;
    logger.info("client address", { header, seen: raw === undefined ? null : raw.slice(0, 200), address: address ?? "unknown" });
  };
}
