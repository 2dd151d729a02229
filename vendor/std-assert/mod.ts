/**
 * A local stand-in for `jsr:@std/assert`, with the same names and signatures for the functions
 * this project uses. JSR is unreachable on our build machines; where it is reachable, point
 * `@std/assert` in `deno.json` at `jsr:@std/assert@1` instead — this file is the switch-over
 * point and nothing else imports it by path.
 *
 * @module
 */
import { AssertionError as NodeAssertionError, deepStrictEqual } from "node:assert";

/** Error thrown by every assertion here (the name matches `@std/assert`). */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Fails unconditionally. */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${msg ? `: ${msg}` : "."}`);
}

/** Asserts that `expr` is truthy. */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg || "Expected expression to be truthy");
}

/** Asserts deep equality (structural, strict types). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (e) {
    if (e instanceof NodeAssertionError) {
      throw new AssertionError(`${msg ? msg + ": " : ""}Values are not equal.\n${e.message}`);
    }
    throw e;
  }
}

/** Asserts that two values are not deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  let equal = true;
  try {
    deepStrictEqual(actual, expected);
  } catch {
    equal = false;
  }
  if (equal) throw new AssertionError(msg ?? `Expected actual to not equal ${String(expected)}`);
}

/** Asserts `actual === expected`. */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(
      msg ?? `Values are not strictly equal: ${String(actual)} !== ${String(expected)}`,
    );
  }
}

/** Asserts `|actual − expected| ≤ tolerance` (default 1e-7 relative to the larger magnitude, as std). */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
): void {
  if (Object.is(actual, expected)) return;
  const tol = tolerance ?? Math.abs(expected * 1e-7);
  const delta = Math.abs(expected - actual);
  if (!(delta <= tol)) {
    throw new AssertionError(
      msg ??
        `Expected actual: "${actual}" to be close to "${expected}": delta "${delta}" is greater than "${tol}"`,
    );
  }
}

/** Asserts that `actual` is neither null nor undefined. */
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(msg ?? `Expected actual: "${actual}" to not be null or undefined.`);
  }
}

/** Asserts `actual > expected`. */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual > expected)) {
    throw new AssertionError(msg ?? `Expect ${String(actual)} > ${String(expected)}`);
  }
}

/** Asserts `actual >= expected`. */
export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual >= expected)) {
    throw new AssertionError(msg ?? `Expect ${String(actual)} >= ${String(expected)}`);
  }
}

/** Asserts `actual < expected`. */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual < expected)) {
    throw new AssertionError(msg ?? `Expect ${String(actual)} < ${String(expected)}`);
  }
}

/** Asserts `actual <= expected`. */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual <= expected)) {
    throw new AssertionError(msg ?? `Expect ${String(actual)} <= ${String(expected)}`);
  }
}

/** Asserts that `actual` matches the regular expression. */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (!expected.test(actual)) {
    throw new AssertionError(msg ?? `Expected actual: "${actual}" to match: "${expected}".`);
  }
}

/** Asserts that `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(msg ?? `Expected actual: "${actual}" to contain: "${expected}".`);
  }
}

/** Asserts that `actual` includes every element of `expected` (deep equality). */
export function assertArrayIncludes<T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
): void {
  const missing: T[] = [];
  for (let i = 0; i < expected.length; i++) {
    let found = false;
    for (let j = 0; j < actual.length && !found; j++) {
      try {
        deepStrictEqual(actual[j], expected[i]);
        found = true;
      } catch { /* keep looking */ }
    }
    if (!found) missing.push(expected[i]);
  }
  if (missing.length > 0) {
    throw new AssertionError(msg ?? `Expected actual to include: ${JSON.stringify(missing)}`);
  }
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

function checkError<E extends Error>(
  err: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new AssertionError(
      msg ?? `Expected error to be instance of "${ErrorClass.name}", but was "${String(err)}".`,
    );
  }
  if (msgIncludes !== undefined) {
    const message = err instanceof Error ? err.message : String(err);
    if (!message.includes(msgIncludes)) {
      throw new AssertionError(
        msg ?? `Expected error message to include "${msgIncludes}", but got "${message}".`,
      );
    }
  }
  return err as E;
}

/** Asserts that `fn` throws; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  try {
    fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(msg ?? "Expected function to throw.");
}

/** Asserts that the promise returned by `fn` rejects; resolves to the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(msg ?? "Expected function to reject.");
}
