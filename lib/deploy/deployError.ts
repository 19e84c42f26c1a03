/** A deploy that cannot go on: the message says which function, what, and what to do. */
export class DeployError extends Error {
  override name = "DeployError";
}
