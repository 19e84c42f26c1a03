// Server-sent events that are ready in the same turn of the event loop go out as one string,
// so one write (one writev of a chunk) carries them, not one write per event. A batch is held
// only until the loop's check phase (setImmediate): after the I/O callback that produced its
// events and every promise it resolved, before the next I/O is read, so no event waits on
// another read of the socket.

const TICK = Symbol("end of tick");

let tick: Promise<typeof TICK> | undefined;
/** One promise per turn of the loop, shared by every stream in the process. */
function endOfTick(): Promise<typeof TICK> {
  tick ??= new Promise((resolve) =>
    setImmediate(() => {
      tick = undefined;
      resolve(TICK);
    }),
  );
  return tick;
}

const ignore = () => undefined;

/** `source`'s strings joined per turn of the loop; returns its result and what was still unsent when it ended. */
export async function* coalescedPerTick<R>(source: AsyncIterator<string, R>): AsyncGenerator<string, { result: R; rest: string }> {
  let batch = "";
  let next = source.next();
  for (;;) {
    const step = batch === "" ? await next : await Promise.race([next, endOfTick()]);
    if (step === TICK) {
      const out = batch;
      batch = "";
      // The next event is still on its way while this batch is written: a failure then is
      // seen when it is awaited, not reported as unhandled in between.
      next.catch(ignore);
      yield out;
      continue;
    }
    if (step.done) return { result: step.value, rest: batch };
    batch += step.value;
    next = source.next();
  }
}
