/**
 * Tells a new request to stop from the same request delivered twice.
 *
 * One Ctrl-C can reach a process twice: the terminal signals the whole
 * foreground process group, and wrappers such as `npx` or `npm run` forward
 * the signal they got as well (measured: two SIGINTs 22 ms apart from one
 * press under `npx`). A repeat of the same signal within a short window is
 * therefore one press; a repeat after it, or a different signal, is a second
 * request.
 *
 * Counting happens in one listener installed up front, never in a listener
 * added while a signal is being handled: Deno calls a listener added during a
 * dispatch for that same signal, so a "second signal" listener added by the
 * first would fire at once.
 *
 * @module
 */

import type { OsSignal } from "./os_signal.ts";

/**
 * What a delivery means: the first request to stop, a duplicate of it to
 * ignore, or a second request.
 */
export type Press = "first" | "duplicate" | "again";

/** The default duplicate window, in milliseconds. */
export const DEFAULT_DUPLICATE_WINDOW = 300;

/**
 * Classifies signal deliveries. The window is measured from the first
 * delivery, so a stream of repeats cannot extend it for ever.
 */
export class SignalPresses {
  readonly #window: number;
  #first: { signal: OsSignal; at: number } | undefined = undefined;

  /** @param window How long, in ms, a repeat of the first signal is a duplicate. */
  constructor(window: number = DEFAULT_DUPLICATE_WINDOW) {
    this.#window = window;
  }

  /** The first signal received, if any. */
  get first(): OsSignal | undefined {
    return this.#first?.signal;
  }

  /**
   * Records a delivery of `signal` at time `at` (ms, from a monotonic clock)
   * and says what it means.
   */
  record(signal: OsSignal, at: number): Press {
    const first = this.#first;
    if (!first) {
      this.#first = { signal, at };
      return "first";
    }
    if (signal === first.signal && at - first.at < this.#window) {
      return "duplicate";
    }
    return "again";
  }
}
