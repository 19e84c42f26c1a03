import { armDependencyDeadline } from "./dependencyDeadline";

/**
 * `work`, or a rejection with `late()`'s error once `ms` of the dependency's time have passed
 * (lib/async/dependencyDeadline.ts: a reply already waiting behind a busy loop still wins); the
 * timer never outlives the race. `late` runs when the time is up, before the rejection (it may
 * abort the work).
 */
export function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = armDependencyDeadline(ms, () => reject(late()));
    work.then(
      (value) => {
        deadline.cancel();
        resolve(value);
      },
      (err: unknown) => {
        deadline.cancel();
        reject(err);
      },
    );
  });
}
