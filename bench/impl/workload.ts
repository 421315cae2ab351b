/**
 * The task bodies the floor and goasync share, so that both do exactly the
 * same work per task and differ only in what manages the tasks.
 *
 * @module
 */

import { Countdown } from "../lib/countdown.ts";

/**
 * Counts what the stages did, so a contender can check its run was complete.
 *
 * @example
 * ```ts
 * import { Tally } from "./workload.ts";
 *
 * const tally = new Tally(1);
 * tally.started.tick();
 * await tally.started.done;
 * ```
 */
export class Tally {
  /** Opens once every task's execute has started. */
  readonly started: Countdown;
  /** How many initialize stages ran. */
  initialized = 0;
  /** How many cleanup stages ran. */
  cleanedUp = 0;

  /**
   * Makes the counters for one run.
   *
   * @param n How many tasks the run has.
   */
  constructor(n: number) {
    this.started = new Countdown(n);
  }

  /** Throws unless `n` tasks were initialized and cleaned up. */
  checkLifecycle(n: number, who: string): void {
    if (this.initialized !== n || this.cleanedUp !== n) {
      throw new Error(
        `${who}: ${this.initialized} initialized and ${this.cleanedUp} cleaned up, expected ${n}`,
      );
    }
  }
}

/**
 * A task with all three stages, as `Task` in `@goasync/core` has them.
 *
 * @example
 * ```ts
 * import { type LifecycleTask, lifecycleTask, Tally } from "./workload.ts";
 *
 * const task: LifecycleTask = lifecycleTask(new Tally(1));
 * ```
 */
export interface LifecycleTask {
  /** Counts itself; runs before any execute. */
  initialize(signal?: AbortSignal): void;
  /** Marks itself started and waits for its signal. */
  execute(signal: AbortSignal): Promise<void>;
  /** Counts itself; runs after every execute has stopped. */
  cleanup(signal?: AbortSignal): void;
}

/**
 * An execute stage that marks itself started and waits for its signal: the
 * idle task of the static, lifecycle and heap scenarios.
 *
 * @example
 * ```ts
 * import { idleExecute, Tally } from "./workload.ts";
 *
 * const tally = new Tally(1);
 * const controller = new AbortController();
 * const running = idleExecute(tally)(controller.signal);
 * controller.abort();
 * await running;
 * ```
 */
export function idleExecute(
  tally: Tally,
): (signal: AbortSignal) => Promise<void> {
  return (signal) => {
    tally.started.tick();
    return new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true })
    );
  };
}

/**
 * One task object with all three stages. All `n` tasks of a run share it:
 * the tasks' own objects are the user's cost, not the manager's.
 *
 * @example
 * ```ts
 * import { lifecycleTask, Tally } from "./workload.ts";
 *
 * const tally = new Tally(1);
 * lifecycleTask(tally).initialize();
 * console.log(tally.initialized); // 1
 * ```
 */
export function lifecycleTask(tally: Tally): LifecycleTask {
  return {
    initialize() {
      tally.initialized++;
    },
    execute: idleExecute(tally),
    cleanup() {
      tally.cleanedUp++;
    },
  };
}

/**
 * The churn task: an async execute stage that finishes at once, as a short
 * request handler would, ticking `finished` on its way out.
 *
 * @example
 * ```ts
 * import { Countdown } from "../lib/countdown.ts";
 * import { quickExecute } from "./workload.ts";
 *
 * const finished = new Countdown(1);
 * await quickExecute(finished)(new AbortController().signal);
 * await finished.done;
 * ```
 */
export function quickExecute(
  finished: Countdown,
): (signal: AbortSignal) => Promise<void> {
  // deno-lint-ignore require-await
  return async () => {
    finished.tick();
  };
}
