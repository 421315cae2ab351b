/**
 * {@linkcode repeatTimer}: goasync's `RepeatTimer` task.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import { checkDelay } from "../_internal/checks.ts";
import { startTimer, stopTimer, type Timer } from "../_internal/timers.ts";
import { readTask, wrapTask } from "./_wrap.ts";
import { readRepeatOptions, runRound } from "./_rounds.ts";
import type { RepeatOptions } from "./repeatable.ts";

/**
 * Runs `task`'s `execute` once at once, then again `intervalMs` after each
 * round has settled, until its signal aborts: a periodic job. A slow round
 * delays the next one rather than overlapping it, so the pause between two
 * rounds is always at least `intervalMs`. `initialize` and `cleanup` are
 * passed through unchanged, each called once by the manager.
 *
 * As in goasync, a round's error is swallowed (shown to `options.onError`, if
 * given) and the next round runs on time: one failed report does not bring
 * the service down. To fail the task instead, throw from `onError`.
 *
 * The timer is cleared as soon as the signal aborts, so nothing is left to
 * keep the process alive; the returned task's `execute` then resolves (after
 * the round in flight, if any, has settled).
 *
 * @param intervalMs The pause after each round, in milliseconds, from 0 to
 * 2147483647 (the longest delay a timer honours).
 * @param task The task to repeat, or a bare function used as its `execute`.
 * @param options See {@linkcode RepeatOptions}.
 * @returns A task to add to a `TaskManager`.
 * @throws {TypeError} For an interval that is not a number, a task without an
 * `execute` function, or bad options.
 * @throws {RangeError} For an interval that is NaN, negative or too long.
 *
 * @example A metrics flush every second
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { repeatTimer } from "@goasync/core/tasks";
 *
 * const manager = new TaskManager();
 * manager.addTask(
 *   "flush-metrics",
 *   repeatTimer(1_000, async () => {
 *     await Promise.resolve(); // send what was collected
 *     console.log("flushed");
 *   }, { onError: (error) => console.error("flush failed:", error) }),
 * );
 * await manager.run(AbortSignal.timeout(1_500)); // flushes at 0 and 1 s
 * ```
 */
export function repeatTimer(
  intervalMs: number,
  task: Task | ExecuteFn,
  options?: RepeatOptions,
): Task {
  checkDelay(intervalMs, "repeatTimer: intervalMs");
  const stages = readTask("repeatTimer", task);
  const onError = readRepeatOptions("repeatTimer", options);
  return wrapTask(stages, async (signal) => {
    while (!signal.aborted) {
      await runRound(stages.execute, signal, onError);
      await pause(intervalMs, signal);
    }
  });
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves nothing behind. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    let timer: Timer | undefined;
    const done = () => {
      signal.removeEventListener("abort", done);
      stopTimer(timer);
      timer = undefined;
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    timer = startTimer(done, ms);
    // Arming may have run callbacks that aborted the signal meanwhile
    // (docs/runtime-notes.md, "Provided tasks").
    if (signal.aborted) done();
  });
}
