/**
 * The restart bookkeeping of one task: the backoff delay of the next restart
 * and the intensity window that ends restarting.
 *
 * @module
 */

import type { RestartConfig } from "./task_options.ts";
import type { EventLoopYield } from "./event_loop_yield.ts";
import type { Timer } from "./timers.ts";

/** One task's restart policy and its restarts so far. */
export class RestartBudget {
  /** The task's validated options. */
  readonly config: RestartConfig;
  /** Attempts begun; the first `execute` is attempt 1. */
  attempt = 1;
  /** Restarts made. */
  restarts = 0;
  /** When the current attempt's `execute` started (for `resetAfter`). */
  startedAt: number | undefined = undefined;
  /** The backoff wait's timer, while one runs. */
  timer: Timer | undefined = undefined;
  /** Lets timers and I/O run between restarts that do not wait. */
  yielder: EventLoopYield | undefined = undefined;
  /** When each restart within the window was decided, oldest first. */
  readonly #times: number[] = [];
  #oldest = 0;
  /** Restarts in a row, since the last attempt that ran `resetAfter` ms. */
  #inARow = 0;

  /** @param config The task's validated restart options. */
  constructor(config: RestartConfig) {
    this.config = config;
  }

  /** Restarts made within the window, as of the last call of `next`. */
  get recent(): number {
    return this.#times.length - this.#oldest;
  }

  /**
   * Decides the restart after a failure at `now` of the current attempt:
   * the delay in ms, or undefined when one more restart would make more
   * than `maxRestarts` within the window.
   */
  next(now: number): number | undefined {
    const startedAt = this.startedAt;
    this.startedAt = undefined;
    const { maxRestarts, within, resetAfter, initial, factor, max, jitter } =
      this.config;
    const times = this.#times;
    while (this.#oldest < times.length && times[this.#oldest] <= now - within) {
      this.#oldest++;
    }
    if (this.#oldest > 64 && this.#oldest * 2 > times.length) {
      times.splice(0, this.#oldest);
      this.#oldest = 0;
    }
    if (this.recent + 1 > maxRestarts) return undefined;
    times.push(now);
    if (startedAt !== undefined && now - startedAt >= resetAfter) {
      this.#inARow = 0;
    }
    this.#inARow++;
    // initial 0 stays 0: 0 × factor^n turns into NaN once factor^n overflows.
    const full = initial === 0
      ? 0
      : Math.min(max, initial * factor ** (this.#inARow - 1));
    return full - Math.random() * jitter * full;
  }
}
