/**
 * Argument checks shared by every public function, so that a mistake fails at
 * once, where it was made, with the same error class everywhere: a value of
 * the wrong type is a `TypeError`, a number out of range a `RangeError`.
 *
 * @module
 */

import { show } from "./render.ts";

/** The longest delay a timer honours; a longer one fires at once. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/**
 * Returns `value` as a delay in milliseconds, from 0 to
 * {@linkcode MAX_TIMER_DELAY}; `what` names it in the message
 * (`"forceStop: timeoutMs"`).
 *
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is NaN, negative or too long for a timer.
 */
export function checkDelay(value: unknown, what: string): number {
  return checkNumber(value, what, 0, MAX_TIMER_DELAY, "milliseconds");
}

/**
 * Returns `value` as a number from `min` to `max`.
 *
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is NaN or outside `[min, max]`.
 */
export function checkNumber(
  value: unknown,
  what: string,
  min: number,
  max: number,
  unit = "",
): number {
  const problem = numberProblem(value, what, min, max, unit);
  if (problem === undefined) return value as number;
  throw typeof value === "number"
    ? new RangeError(problem)
    : new TypeError(problem);
}

/**
 * What is wrong with `value` as a number from `min` to `max`, or undefined;
 * for callers whose contract names one error class for every bad argument.
 */
export function numberProblem(
  value: unknown,
  what: string,
  min: number,
  max: number,
  unit = "",
): string | undefined {
  if (typeof value !== "number") {
    return `${what} must be ${unit ? `a number of ${unit}` : "a number"}, got ${
      show(value)
    }`;
  }
  if (value >= min && value <= max) return undefined;
  return `${what} must be from ${min} to ${max}${
    unit ? ` ${unit}` : ""
  }, got ${value}`;
}

/**
 * Returns `value` as an options object; `undefined` gives `{}`.
 *
 * @throws {TypeError} When `value` is neither an object nor undefined.
 */
export function checkOptions<T extends object>(
  value: unknown,
  what: string,
): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${what} must be an object, got ${show(value)}`);
  }
  return value as T;
}

/**
 * Returns `value` as a function.
 *
 * @throws {TypeError} When it is not one.
 */
export function checkFunction<T extends (...args: never[]) => unknown>(
  value: unknown,
  what: string,
): T {
  if (typeof value !== "function") {
    throw new TypeError(`${what} must be a function, got ${show(value)}`);
  }
  return value as T;
}

/**
 * Throws unless `name` is a non-empty string; `what` names the caller.
 *
 * @throws {TypeError} Otherwise.
 */
export function checkName(
  name: unknown,
  what: string,
): asserts name is string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `${what}: name must be a non-empty string, got ${show(name)}`,
    );
  }
}

/**
 * How a message names a call: `addTask("db")` for a call about a named
 * task, else the method alone. Built only for a message, so that adding a
 * task builds no string.
 */
export function callName(method: string, name?: string): string {
  return name === undefined ? method : `${method}("${name}")`;
}
