// A dependency's deadline measures the dependency, not our event loop (lib/async/dependencyDeadline.ts).
// Deterministic: the loop is blocked with a busy wait longer than the deadline while a reply is
// already on its way over a real loopback socket; no timing is asserted, only who wins.
import { once } from "node:events";
import { type AddressInfo, type Socket, createServer, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armDependencyDeadline, dependencySignal } from "../lib/async/dependencyDeadline";
import { within } from "../lib/async/within";

class Late extends Error {}

/** Blocks the event loop, as 200 requests parsed in one poll phase or a CPU quota would. */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A connected socket pair over loopback: what one side writes, the other reads on a later poll. */
async function socketPair(): Promise<{ ours: Socket; theirs: Socket; close(): void }> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const ours = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(ours, "connect");
  const [theirs] = await accepted;
  return {
    ours,
    theirs,
    close() {
      ours.destroy();
      theirs.destroy();
      server.close();
    },
  };
}

const nextData = (socket: Socket) => new Promise<string>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk.toString())));
const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout" || kind === "Immediate").length;

describe("within: a reply waiting behind a busy loop is not a timeout", () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  beforeAll(async () => {
    pair = await socketPair();
  });
  afterAll(() => pair.close());

  it("control: a plain timer race loses a reply that is already in the socket buffer", async () => {
    const reply = nextData(pair.ours);
    let timer: NodeJS.Timeout | undefined;
    const plain = Promise.race([reply, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Late()), 10)))]);
    pair.theirs.write("pong");
    busyWait(60);
    await expect(plain).rejects.toBeInstanceOf(Late);
    clearTimeout(timer);
    await reply;
  });

  it("resolves with the reply when the deadline expired while the loop was blocked (the yield to the poll phase)", async () => {
    let lateCalls = 0;
    const raced = within(nextData(pair.ours), 10, () => (lateCalls++, new Late()));
    pair.theirs.write("pong");
    busyWait(60);
    await expect(raced).resolves.toBe("pong");
    // The yield was queued when the reply was read, and cancelled with the race: late() never ran.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lateCalls).toBe(0);
  });

  it("does not count a stall against a request that only leaves on a later turn (the request is sent late)", async () => {
    const ask = new Promise<string>((resolve) => {
      pair.theirs.once("data", () => pair.theirs.write("pong"));
      // fetch dispatches like this: the request goes out on a later turn of the loop.
      setImmediate(() => pair.ours.write("ping"));
      pair.ours.once("data", (chunk: Buffer) => resolve(chunk.toString()));
    });
    const raced = within(ask, 40, () => new Late());
    busyWait(120);
    await expect(raced).resolves.toBe("pong");
  });

  it("still times out a dependency that really is late, idle loop or stalled, calling late() once", async () => {
    let lateCalls = 0;
    const never = new Promise<string>(() => undefined);
    await expect(within(never, 20, () => (lateCalls++, new Late()))).rejects.toBeInstanceOf(Late);
    const stalled = within(never, 20, () => (lateCalls++, new Late()));
    busyWait(80);
    await expect(stalled).rejects.toBeInstanceOf(Late);
    expect(lateCalls).toBe(2);
  });

  it("passes the work's own failure through and leaves no timer behind", async () => {
    const before = pendingTimers();
    await expect(within(Promise.reject(new RangeError("refused")), 1000, () => new Late())).rejects.toBeInstanceOf(RangeError);
    await expect(within(Promise.resolve("ok"), 1000, () => new Late())).resolves.toBe("ok");
    expect(pendingTimers()).toBe(before);
  });
});

describe("armDependencyDeadline", () => {
  it("does not expire once cancelled, refreshed or not", async () => {
    let expired = 0;
    armDependencyDeadline(10, () => expired++).cancel();
    const refreshed = armDependencyDeadline(10, () => expired++);
    refreshed.cancel();
    refreshed.refresh();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(expired).toBe(0);
  });

  it("a deadline longer than Node's longest timer waits, it does not spin on 1 ms timers", async () => {
    let expired = 0;
    const overflows: string[] = [];
    const onWarning = (warning: Error) => warning.name === "TimeoutOverflowWarning" && overflows.push(warning.message);
    process.on("warning", onWarning);
    try {
      const deadline = armDependencyDeadline(Number.POSITIVE_INFINITY, () => expired++);
      await new Promise((resolve) => setTimeout(resolve, 30));
      deadline.cancel();
    } finally {
      process.off("warning", onWarning);
    }
    // Node turns a timer over 2^31-1 ms into a 1 ms one, with this warning.
    expect({ expired, overflows }).toEqual({ expired: 0, overflows: [] });
  });

  it("refresh starts the full time again; without refreshes it expires", async () => {
    let expired = 0;
    const deadline = armDependencyDeadline(60, () => expired++);
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      deadline.refresh();
    }
    expect(expired).toBe(0);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => expired && (clearInterval(check), resolve()), 10);
    });
    expect(expired).toBe(1);
  });

  it("refresh after it expired arms it again", async () => {
    let expired = 0;
    const deadline = armDependencyDeadline(10, () => expired++);
    while (expired === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    deadline.refresh();
    while (expired === 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(expired).toBe(2);
  });
});

describe("dependencySignal", () => {
  it("aborts with a TimeoutError, as AbortSignal.timeout does, and not once cancelled", async () => {
    const timed = dependencySignal(10);
    await once(timed.signal, "abort");
    expect((timed.signal.reason as DOMException).name).toBe("TimeoutError");
    const cancelled = dependencySignal(10);
    cancelled.cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cancelled.signal.aborted).toBe(false);
  });
});
