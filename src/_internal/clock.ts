/**
 * The clock of task states: when each entered its state. A stamp is
 * milliseconds since the library loaded, `Date.now()` less a constant, so
 * that it stays a small integer (for 12 days), which V8 keeps in the record
 * itself rather than in a number object of its own. `EPOCH + stamp()` is a
 * `Date.now()` value, mocked clocks included.
 *
 * The clock is read once per turn of the microtask queue, not once per
 * task: reading it costs about as much as adding a task that ends at once
 * (50 ns; docs/runtime-notes.md), and a state change happens for every task
 * at every step. Changes in the same turn share one reading; timer callbacks
 * start a new turn (`newTurn`), since a mocked clock runs them back to back.
 *
 * @module
 */

/** `Date.now()` when the library loaded. */
export const EPOCH: number = Date.now();

const SMALL = 2 ** 30;
let current: number | undefined;
const forget = () => {
  current = undefined;
};

/** Milliseconds since {@linkcode EPOCH}, read once per microtask turn. */
export function stamp(): number {
  if (current === undefined) {
    const ms = Date.now() - EPOCH;
    // `| 0` makes V8 hold a small integer as such; a larger one stays exact.
    current = ms > -SMALL && ms < SMALL ? ms | 0 : ms;
    queueMicrotask(forget);
  }
  return current;
}

/** Starts a new turn: the next `stamp` reads the clock again. */
export function newTurn(): void {
  current = undefined;
}
