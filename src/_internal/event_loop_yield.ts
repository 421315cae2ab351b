/**
 * Lets timers and I/O run between the rounds of a loop that may never wait
 * for anything itself.
 *
 * JavaScript cannot pre-empt: a loop whose every round resolves at once runs
 * on microtasks alone and starves timers and I/O for ever. Waiting for a
 * macrotask after every round fixes that but is slow (a `setTimeout(0)` costs
 * about a millisecond; docs/runtime-notes.md has the figures), and a
 * `MessageChannel` does not help on Node.js, which delivers up to 1000 port
 * messages before it polls for I/O. So rounds run back to back for at most
 * {@linkcode SLICE_MS}, and then the loop waits for a `setTimeout(0)` armed at
 * the start of the slice. A round that waits for real work lets that timer
 * fire on its own, and then the loop never waits at all.
 *
 * @module
 */

import { startTimer, stopTimer, type Timer } from "./timers.ts";

/**
 * How long, in milliseconds, rounds that never wait may hold the event loop.
 * Small enough that timers and I/O barely notice, large enough that the
 * yields cost a small share of the time.
 */
export const SLICE_MS = 5;

/** Decides, between two rounds, whether the loop must let the event loop turn. */
export class EventLoopYield {
  #timer: Timer | undefined = undefined;
  /** True once the event loop has run the timer armed for this slice. */
  #turned = false;
  #sliceStart = 0;

  constructor() {
    this.#arm();
  }

  /**
   * Call between two rounds, and not again before what it returns has
   * resolved. Returns nothing while the slice lasts, or when the event loop
   * has turned by itself; otherwise a promise that resolves once it has.
   */
  between(): void | Promise<void> {
    if (this.#turned) return this.#arm();
    if (performance.now() - this.#sliceStart < SLICE_MS) return;
    // A fresh timer, not the one armed at the start of the slice: timers that
    // fell due during the slice then run before the loop resumes.
    stopTimer(this.#timer);
    return new Promise<void>((resolve) => {
      this.#timer = startTimer(resolve, 0);
    }).then(() => this.#arm());
  }

  /** Clears the pending timer, so that nothing keeps the process alive. */
  stop(): void {
    stopTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm() {
    this.#turned = false;
    this.#sliceStart = performance.now();
    this.#timer = startTimer(() => this.#turned = true, 0);
  }
}
