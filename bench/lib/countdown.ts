/**
 * A latch that opens after a fixed number of ticks: how every scenario learns
 * that all its tasks have started (or finished) without polling or sleeping.
 *
 * @module
 */

/**
 * Resolves {@linkcode Countdown.done} on the `n`-th call to `tick`.
 *
 * @example
 * ```ts
 * import { Countdown } from "./countdown.ts";
 *
 * const started = new Countdown(2);
 * started.tick();
 * started.tick();
 * await started.done;
 * ```
 */
export class Countdown {
  #left: number;
  #resolve: () => void = () => {};
  /** Resolves once `tick` has been called `n` times. */
  readonly done: Promise<void>;

  /**
   * Makes a latch that opens after `n` ticks.
   *
   * @param n How many ticks open the latch; 0 opens it at once.
   */
  constructor(n: number) {
    this.#left = n;
    this.done = new Promise<void>((resolve) => this.#resolve = resolve);
    if (n === 0) this.#resolve();
  }

  /** Counts one tick; the `n`-th opens the latch. */
  tick(): void {
    if (--this.#left === 0) this.#resolve();
  }

  /** How many ticks are still missing. */
  get left(): number {
    return this.#left;
  }
}
