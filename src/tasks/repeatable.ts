/**
 * {@linkcode repeatable}: goasync's `Repeatable` task, and the options it
 * shares with `repeatTimer`.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import { EventLoopYield } from "../_internal/event_loop_yield.ts";
import { readTask, wrapTask } from "./_wrap.ts";
import { readRepeatOptions, runRound } from "./_rounds.ts";

/**
 * Options for {@linkcode repeatable} and `repeatTimer`.
 *
 * @example Log each failed round, and give up after the third in a row
 * ```ts
 * import { repeatable } from "@goasync/core/tasks";
 *
 * let failures = 0;
 * const poller = repeatable(async () => {
 *   await Promise.resolve(); // poll something; reset the count on success
 *   failures = 0;
 * }, {
 *   onError(error) {
 *     console.error("poll failed:", error);
 *     if (++failures === 3) throw error; // ends the task with this error
 *   },
 * });
 * ```
 */
export interface RepeatOptions {
  /**
   * Called with what a round threw or rejected with, before the next round.
   * Without it, errors are swallowed, as goasync does. If it throws or
   * rejects, the task stops repeating and fails with that error. A round that
   * rejects with its signal's reason or an `AbortError` after the stop is not
   * an error and is not reported.
   */
  onError?: (error: unknown) => void | Promise<void>;
}

/**
 * Runs `task`'s `execute` again and again until its signal aborts, as
 * goasync's `Repeatable` does: each round starts when the previous one has
 * settled, and a round's error is swallowed (shown to `options.onError`, if
 * given) rather than failing the task. `initialize` and `cleanup` are passed
 * through unchanged, each called once by the manager.
 *
 * Rounds never overlap, and the loop never starves the event loop: even when
 * every round resolves at once, timers and I/O get their turn at least every
 * few milliseconds. The returned task's `execute` resolves once the signal
 * has aborted and the round in flight has settled.
 *
 * @param task The task to repeat, or a bare function used as its `execute`.
 * @param options See {@linkcode RepeatOptions}; by default errors are
 * swallowed silently.
 * @returns A task to add to a `TaskManager`.
 * @throws {TypeError} For a task without an `execute` function, or bad
 * options.
 *
 * @example A consumer that survives a failing message
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { repeatable } from "@goasync/core/tasks";
 *
 * const queue = ["a", "b", "bad", "c"];
 * const manager = new TaskManager();
 * manager.addTask(
 *   "consumer",
 *   repeatable(async (signal) => {
 *     const message = queue.shift();
 *     if (message === undefined) {
 *       // Nothing to do: wait a little (or until the stop).
 *       await new Promise((resolve) => {
 *         const timer = setTimeout(resolve, 10);
 *         signal.addEventListener("abort", () => {
 *           clearTimeout(timer);
 *           resolve(undefined);
 *         }, { once: true });
 *       });
 *       return;
 *     }
 *     if (message === "bad") throw new Error(`cannot handle ${message}`);
 *     console.log("handled", message);
 *   }, { onError: (error) => console.error("round failed:", error) }),
 * );
 * await manager.run(AbortSignal.timeout(50));
 * ```
 */
export function repeatable(
  task: Task | ExecuteFn,
  options?: RepeatOptions,
): Task {
  const stages = readTask("repeatable", task);
  const onError = readRepeatOptions("repeatable", options);
  return wrapTask(stages, async (signal) => {
    const turns = new EventLoopYield();
    try {
      while (!signal.aborted) {
        await runRound(stages.execute, signal, onError);
        if (signal.aborted) break;
        await turns.between();
      }
    } finally {
      turns.stop();
    }
  });
}
