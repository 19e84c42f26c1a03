// The CPU an SCF instance gets for its memory size: the quota `npm run capacity` holds each
// function to. Tencent says the share is proportional to memory: "Tencent Cloud will
// automatically allocate proportional CPU processing power to the function based on the
// user-specified memory. For example, if you allocate 1,024 MB of memory to a function, the CPU
// obtained by the function will be twice that when 512 MB of memory is allocated" (SCF docs,
// product 583/9207, "Creating a Function"). It publishes no absolute figure that we could find
// (searched: SCF memory/CPU, 函数算力支持, the billing and concurrency pages).
// The scale is therefore an ASSUMPTION: Google Cloud Functions (1st gen) publishes 0.083 vCPU at
// 128 MB, 0.167 at 256 MB and 0.333 at 512 MB (cloud.google.com/functions/1stgendocs/configuring/
// memory), one core per 1,536 MB; we take the same. `--cores-per-gb` replaces it.

export const DEFAULT_CORES_PER_GB = 1024 / 1536;

export const CPU_SHARE_SOURCE =
  "proportional to memory (Tencent SCF docs 583/9207); the scale is an assumption: one core per 1,536 MB, Google Cloud Functions 1st gen's published 0.167 vCPU at 256 MB (Tencent publishes no figure)";

/** Share of one core an instance of `memoryMb` gets. */
export function cpuShareFor(memoryMb: number, coresPerGb = DEFAULT_CORES_PER_GB): number {
  return (memoryMb / 1024) * coresPerGb;
}
