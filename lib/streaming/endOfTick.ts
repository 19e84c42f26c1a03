// The end of the current turn of the event loop, for batching what one turn produced: the
// check phase (setImmediate) runs after the I/O callback that produced the work and every
// promise it resolved, and before the next I/O is read, so nothing held until then waits on
// another read of a socket.

export const END_OF_TICK = Symbol("end of tick");

let tick: Promise<typeof END_OF_TICK> | undefined;

/** One promise per turn of the loop, shared by every caller in the process. */
function endOfTick(): Promise<typeof END_OF_TICK> {
  tick ??= new Promise((resolve) =>
    setImmediate(() => {
      tick = undefined;
      resolve(END_OF_TICK);
    }),
  );
  return tick;
}

/** `work`'s value if it settles within this turn of the loop, else END_OF_TICK. */
export function untilEndOfTick<T>(work: Promise<T>): Promise<T | typeof END_OF_TICK> {
  return Promise.race([work, endOfTick()]);
}
