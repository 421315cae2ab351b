/**
 * {@linkcode Latch}: a gate a test opens, for a fake's call to wait on.
 *
 * @module
 */

/**
 * Holds the calls of a fake that was told to `waits()` until the test
 * settles it. Every call, before or after, then settles the same way.
 *
 * @example
 * ```ts
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const task = new FakeTask("db");
 * const gate = task.when("initialize").waits();
 * const initializing = task.initialize(new AbortController().signal);
 * console.log(gate.settled); // false: initialize is still running
 * gate.resolve();
 * await initializing;
 * ```
 */
export interface Latch<T = void> {
  /** Lets every waiting call (and every later one) resolve with `value`. */
  resolve(value: T): void;
  /** Makes every waiting call (and every later one) reject with `reason`. */
  reject(reason: unknown): void;
  /** Whether `resolve` or `reject` has been called. */
  readonly settled: boolean;
}
