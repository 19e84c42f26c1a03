// Every overhead row next to its references: upstream direct and the floor forwarder on the
// same upstream (same delay). Rows that never call the upstream (cache hits, refusals) are set
// against the 0 ms references: what they cost next to a model call.
import { round } from "./stats";

export interface MeasuredRow {
  name: string;
  /** direct: the upstream alone; floor: the minimal forwarder; subject: miniask. */
  kind: "direct" | "floor" | "subject";
  /** The upstream's answer delay this row ran against. */
  delayMs: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** CPU the row's own process (upstream, floor or function) used per answered request, in µs. */
  cpuUsPerRequest?: number;
}

export interface ComparedRow {
  name: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** Throughput as a share of the direct row's. */
  vsDirect: number;
  /** Throughput as a share of the floor row's. */
  vsFloor: number;
  /** p50 above the floor row's, in ms. */
  p50OverFloorMs: number;
  cpuUsPerRequest?: number;
  /** CPU per request as a multiple of the floor process's. */
  cpuVsFloor?: number;
}

export function compareToFloor(rows: readonly MeasuredRow[]): ComparedRow[] {
  const reference = (kind: MeasuredRow["kind"], delayMs: number) => {
    const found = rows.find((r) => r.kind === kind && r.delayMs === delayMs) ?? rows.find((r) => r.kind === kind && r.delayMs === 0);
    if (!found) throw new Error(`no ${kind} row to compare with`);
    return found;
  };
  return rows.map((r) => {
    const direct = reference("direct", r.delayMs);
    const floor = reference("floor", r.delayMs);
    const cpu = r.cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest: r.cpuUsPerRequest, ...(floor.cpuUsPerRequest ? { cpuVsFloor: round(r.cpuUsPerRequest / floor.cpuUsPerRequest, 2) } : {}) };
    return { name: r.name, rps: r.rps, p50: r.p50, p90: r.p90, p99: r.p99, vsDirect: round(r.rps / direct.rps, 3), vsFloor: round(r.rps / floor.rps, 3), p50OverFloorMs: round(r.p50 - floor.p50, 3), ...cpu };
  });
}
