/**
 * Argument checks shared by the provided tasks, so that a mistake fails at
 * once, where the task is built, with a message naming the caller.
 *
 * @module
 */

/** The longest delay `setTimeout` honours; longer ones fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;

/**
 * Throws unless `value` is a whole or fractional number of milliseconds from 0
 * to {@linkcode MAX_DELAY_MS}.
 *
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is NaN, negative or too long for a timer.
 */
export function assertDelay(caller: string, name: string, value: unknown) {
  if (typeof value !== "number") {
    throw new TypeError(
      `${caller}: ${name} must be a number of milliseconds, got ${
        describe(value)
      }`,
    );
  }
  if (!(value >= 0 && value <= MAX_DELAY_MS)) {
    throw new RangeError(
      `${caller}: ${name} must be from 0 to ${MAX_DELAY_MS} milliseconds, got ${value}`,
    );
  }
}

/** A short, safe rendering of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") {
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }
  return Array.isArray(value) ? "an array" : "an object";
}
