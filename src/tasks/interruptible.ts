/**
 * {@linkcode interruptible}: goasync's `Interruptible` task.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import { isAbortEcho } from "../_internal/abort_echo.ts";
import {
  addSignalListener,
  type OsSignal,
  removeSignalListener,
} from "../signals/mod.ts";
import { checkOsSignals } from "../signals/os_signal.ts";
import { type BoundStages, readTask, wrapTask } from "./_wrap.ts";

/**
 * Restarts `task` in place whenever the process receives one of `signals`
 * (typically `SIGHUP`, to reload configuration), as goasync's
 * `Interruptible` does: the running `execute` is aborted with an
 * `AbortError`; once it has settled, `cleanup` and `initialize` run (with
 * the returned task's signal) and `execute` starts again with a fresh
 * signal. A signal that arrives during a restart's `initialize` causes one
 * more restart; signals that arrive together count once.
 *
 * The manager's stop ends it: listeners go at once, a restart in progress
 * finishes, and a stage that then rejects with the stop's echo is a clean
 * stop. The returned task's `execute` fails if the wrapped `execute` fails
 * otherwise, or if a restart's `cleanup` or `initialize` does (an `Error`
 * naming the stage, with the failure as `cause`). It resolves if the wrapped
 * `execute` returns by itself, leaving the task type to judge (goasync
 * reports an error there).
 *
 * @param signals The OS signals that restart the task; at least one.
 * @param task The task to restart, or a bare function used as its `execute`.
 * @returns A task to add to a `TaskManager`.
 * @throws {TypeError} For an empty or non-array `signals`, an unknown signal
 * name, or a task without an `execute` function.
 * @throws {Error} For a signal this platform lacks (SIGBREAK outside
 * Windows), or a runtime without OS signals.
 *
 * @example A server that reloads its configuration on SIGHUP
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { interruptible } from "@goasync/core/tasks";
 *
 * let version = 0;
 * const manager = new TaskManager();
 * manager.addTask(
 *   "server",
 *   interruptible(["SIGHUP"], {
 *     initialize: () => void version++, // read the configuration here
 *     execute: (signal) => {
 *       console.log("serving with configuration", version);
 *       return new Promise((resolve) =>
 *         signal.addEventListener("abort", resolve, { once: true })
 *       );
 *     },
 *   }),
 * );
 * // `kill -HUP <pid>` now prints "serving with configuration 2", and so on.
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 50);
 * await manager.run(stop.signal);
 * ```
 */
export function interruptible(
  signals: readonly OsSignal[],
  task: Task | ExecuteFn,
): Task {
  const names = checkOsSignals(signals, "interruptible");
  const stages = readTask("interruptible", task);
  return wrapTask(stages, async (signal) => {
    if (signal.aborted) return await stages.execute(signal);
    let round: AbortController | undefined;
    /** A signal arrived since the last restart began to initialize. */
    let requested = false;
    const onOsSignal = () => {
      requested = true;
      round?.abort(restartReason());
    };
    const onStop = () => {
      stopListening();
      // The stop's own reason, so that the manager recognises the echo.
      round?.abort(signal.reason);
    };
    const stopListening = () => {
      signal.removeEventListener("abort", onStop);
      for (const name of names) removeSignalListener(name, onOsSignal);
    };
    try {
      for (const name of names) addSignalListener(name, onOsSignal);
      signal.addEventListener("abort", onStop, { once: true });
      while (true) {
        round = new AbortController();
        try {
          await stages.execute(round.signal);
        } catch (error) {
          // After the stop, the manager judges the error itself.
          if (signal.aborted || !isAbortEcho(error, round.signal)) throw error;
        }
        round = undefined;
        // Neither stopped nor interrupted: the task returned by itself.
        if (signal.aborted || !requested) return;
        do {
          await restart(stages, signal, () => requested = false);
        } while (requested && !signal.aborted);
        if (signal.aborted) return;
      }
    } finally {
      stopListening();
    }
  });
}

/**
 * Calls `cleanup` then `initialize`. `beforeInitialize` runs just before
 * `initialize`: a signal after that moment needs another restart, one before
 * it does not.
 */
async function restart(
  stages: BoundStages,
  signal: AbortSignal,
  beforeInitialize: () => void,
): Promise<void> {
  let stage = "cleanup";
  try {
    await stages.cleanup?.(signal);
    stage = "initialize";
    beforeInitialize();
    await stages.initialize?.(signal);
  } catch (cause) {
    // Stopped by the manager's stop: left as it is for the manager to judge.
    if (isAbortEcho(cause, signal)) throw cause;
    throw new Error(
      `interruptible: restarting the task after a signal failed in ${stage}`,
      { cause },
    );
  }
}

function restartReason(): DOMException {
  return new DOMException(
    "interrupted by an OS signal: the task restarts",
    "AbortError",
  );
}
