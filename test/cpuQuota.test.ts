import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createCpuQuota } from "../scripts/support/cpuQuota";

// A busy loop held to 20% of a core for ~1 s of wall time uses about 0.2 s of CPU, never a whole second.
describe("createCpuQuota", () => {
  it("holds a busy process to its share of a core", async () => {
    const made = createCpuQuota(0.2, "test");
    if (!made.ok) {
      // Not every machine lets the tests write a cgroup; the capacity script says so and runs unthrottled.
      expect(made.reason).toMatch(/cgroup/);
      return;
    }
    const child = spawn(process.execPath, ["-e", "const end = Date.now() + 1000; while (Date.now() < end) {}"], { stdio: "ignore" });
    try {
      made.quota.add(child.pid!);
      const started = made.quota.usageMicros();
      await new Promise((resolve) => child.on("exit", resolve));
      const usedMs = (made.quota.usageMicros() - started) / 1000;
      expect(usedMs).toBeGreaterThan(50);
      expect(usedMs).toBeLessThan(450);
    } finally {
      child.kill();
      made.quota.release();
    }
  });

  it("refuses a share of zero", () => {
    const made = createCpuQuota(0, "zero");
    expect(made.ok).toBe(false);
  });
});
