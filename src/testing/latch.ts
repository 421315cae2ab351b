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

/** Creates a latch and the promise the calls wait on. */
export function createLatch<T>(): { latch: Latch<T>; promise: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A latch rejected before any call waits on it is not an unhandled
  // rejection; the calls that come later still see the rejection.
  promise.catch(() => {});
  const latch: Latch<T> = {
    resolve(value) {
      settled = true;
      resolve(value);
    },
    reject(reason) {
      settled = true;
      reject(reason);
    },
    get settled() {
      return settled;
    },
  };
  return { latch, promise };
}
