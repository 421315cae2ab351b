/**
 * Timers, read from the globals at each call (so that `mock.timers`, which
 * replaces them after the library has loaded, applies).
 *
 * The trap these exist for (docs/runtime-notes.md): on Deno, the first read
 * of any timer global in a process, made inside a timer callback, runs the
 * pending promise callbacks in the middle of the reading code. So a timer
 * that belongs to a stop is armed BEFORE the signals are aborted (when
 * nothing can have settled because of the stop yet), and code that may run
 * inside someone else's abort re-checks its state after arming.
 *
 * @module
 */

import { newTurn } from "./clock.ts";

/** What `setTimeout` returns on this runtime. */
export type Timer = ReturnType<typeof setTimeout>;

/** Starts a timer; see the module doc for when to call it. */
export function startTimer(callback: () => void, delay: number): Timer {
  return setTimeout(() => {
    newTurn(); // a mocked clock runs timer callbacks back to back
    callback();
  }, delay);
}

/** Stops a timer; `undefined` is ignored. */
export function stopTimer(timer: Timer | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}
