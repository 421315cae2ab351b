/**
 * {@linkcode forceStop}: goasync's `ForceStop` task, and the error it gives
 * up with.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import { checkDelay } from "../_internal/checks.ts";
import { whenSettled } from "../_internal/settle.ts";
import { startTimer, stopTimer, type Timer } from "../_internal/timers.ts";
import { readTask, wrapTask } from "./_wrap.ts";

/**
 * What a {@linkcode forceStop} task fails with when the task it wraps has not
 * settled `timeoutMs` after its signal aborted. The `TaskManager` reports it
 * as the `cause` of a `TaskError` in the `execute` stage.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { forceStop, ForceStopTimeoutError } from "@goasync/core/tasks";
 *
 * const manager = new TaskManager();
 * manager.addTask("stubborn", forceStop(10, () => new Promise(() => {})));
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 10);
 * const [error] = await manager.run(stop.signal);
 * console.log(error.cause instanceof ForceStopTimeoutError); // true
 * ```
 */
export class ForceStopTimeoutError extends Error {
  /** How long, in milliseconds, the task was given after the stop. */
  readonly timeoutMs: number;

  /**
   * Creates the error for a task abandoned after `timeoutMs`.
   *
   * @param timeoutMs The time the task was given to stop, in milliseconds.
   */
  constructor(timeoutMs: number) {
    super(
      `the task did not stop within ${timeoutMs} ms of being asked to, and was abandoned`,
    );
    this.name = "ForceStopTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Bounds how long `task` may take to stop: once its signal aborts, the
 * returned task's `execute` waits at most `timeoutMs` for the wrapped
 * `execute` to settle, then rejects with a {@linkcode ForceStopTimeoutError}
 * and abandons it. JavaScript cannot kill a running function: the abandoned
 * work may go on in the background, but nothing waits for it any more, and a
 * later rejection of it is caught and dropped rather than reported as
 * unhandled. The manager then goes on with the shutdown: this task's
 * `cleanup` may run while the abandoned `execute` is still going.
 *
 * Until then the wrapper is invisible: it resolves, rejects or throws exactly
 * as the wrapped `execute` does, whether before the stop or within the grace
 * time. `initialize` and `cleanup` are passed through unchanged.
 *
 * Unlike the manager's `shutdownTimeout`, which bounds the whole shutdown,
 * this bounds one task, and the manager goes on to clean up the others as
 * soon as this one gives up.
 *
 * @param timeoutMs The grace time after the stop, in milliseconds, from 0 to
 * 2147483647.
 * @param task The task to bound, or a bare function used as its `execute`.
 * @returns A task to add to a `TaskManager`.
 * @throws {TypeError} For a timeout that is not a number, or a task without
 * an `execute` function.
 * @throws {RangeError} For a timeout that is NaN, negative or too long.
 *
 * @example A worker that ignores its signal, bounded to 100 ms
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { forceStop } from "@goasync/core/tasks";
 *
 * const manager = new TaskManager();
 * manager.addTask(
 *   "legacy-worker",
 *   forceStop(100, () => new Promise(() => {})), // never settles
 * );
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 10);
 * const errors = await manager.run(stop.signal);
 * console.log(errors[0].message); // ...did not stop within 100 ms...
 * ```
 */
export function forceStop(timeoutMs: number, task: Task | ExecuteFn): Task {
  checkDelay(timeoutMs, "forceStop: timeoutMs");
  const stages = readTask("forceStop", task);
  return wrapTask(stages, (signal) => {
    const result = stages.execute(signal);
    if (result === undefined) return;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: Timer | undefined;
      const onAbort = () => {
        const armed = startTimer(
          () => reject(new ForceStopTimeoutError(timeoutMs)),
          timeoutMs,
        );
        // Arming may have run callbacks that settled the task meanwhile
        // (docs/runtime-notes.md, "Provided tasks").
        if (settled) stopTimer(armed);
        else timer = armed;
      };
      const finish = () => {
        settled = true;
        signal.removeEventListener("abort", onAbort);
        stopTimer(timer);
      };
      // Both reactions stay attached after a timeout, so that a late
      // rejection of the abandoned task is always handled.
      whenSettled(result, () => {
        finish();
        resolve();
      }, (error) => {
        finish();
        reject(error);
      });
      if (settled) return;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  });
}
