// A function's zip, byte for byte the same for the same files: entries sorted by name, one
// fixed timestamp, fixed permissions. The deploy compares a hash of the zip, so a build that
// stamped the current time would redeploy every unchanged function.
import { zipSync } from "fflate";

export interface ZipEntry {
  name: string;
  content: Uint8Array;
  /** Unix permissions: 0o644, or 0o755 for scf_bootstrap. */
  mode: number;
}

// fflate writes DOS time from the Date's local-time fields, so the date is built from local
// fields too, at each call: the same bytes in every time zone. (DOS time starts in 1980.)
const fixedMtime = () => new Date(1980, 0, 1, 12, 0, 0);

export function reproducibleZip(entries: readonly ZipEntry[]): Uint8Array {
  const mtime = fixedMtime();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number }]> = {};
  for (const entry of sorted) {
    if (files[entry.name]) throw new Error(`zip: ${entry.name} twice`);
    files[entry.name] = [entry.content, { mtime, os: 3, attrs: (0o100000 | entry.mode) << 16 }];
  }
  return zipSync(files, { level: 9, mtime });
}
