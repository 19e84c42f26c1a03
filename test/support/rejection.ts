// The error a promise rejected with, failing the test when it resolved or threw another class.
import { expect } from "vitest";
import { AppError } from "../../lib/appError";

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export function rejection(work: Promise<unknown>): Promise<AppError>;
export function rejection<E extends Error>(work: Promise<unknown>, errorClass: ErrorClass<E>): Promise<E>;
export async function rejection(work: Promise<unknown>, errorClass: ErrorClass<Error> = AppError): Promise<Error> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(errorClass);
  return err as Error;
}
