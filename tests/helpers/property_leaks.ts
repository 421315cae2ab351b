/**
 * Catches unhandled promise rejections while the property tests run. Uses
 * `node:process`'s `unhandledRejection` event, which Deno, Node.js and Bun
 * all emit. `tests/helpers/property_leak_probe.ts` proves, in a child
 * process, that it really fires.
 *
 * @module
 */

import process from "node:process";

/** Collects every unhandled rejection between `start` and `stop`. */
export class RejectionWatch {
  readonly #seen: unknown[] = [];
  readonly #listener = (reason: unknown) => {
    this.#seen.push(reason);
  };

  /** Starts listening. */
  start(): void {
    process.on("unhandledRejection", this.#listener);
  }

  /** Stops listening. */
  stop(): void {
    process.off("unhandledRejection", this.#listener);
  }

  /** The rejections seen since the last call, oldest first. */
  take(): unknown[] {
    return this.#seen.splice(0);
  }
}
