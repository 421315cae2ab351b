/**
 * {@linkcode interruptible}: goasync's `Interruptible` task.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import {
  addSignalListener,
  type OsSignal,
  removeSignalListener,
} from "../signals/mod.ts";
import { isAbortEcho } from "./rounds.ts";
import { type Stages, toStages, wrap } from "./stages.ts";
import { describe } from "./validate.ts";

/**
 * Every {@linkcode OsSignal} name; a `Record` so that the compiler checks the
 * list against the type.
 */
const KNOWN_SIGNALS: Record<OsSignal, true> = {
  SIGINT: true,
  SIGTERM: true,
  SIGHUP: true,
  SIGQUIT: true,
  SIGUSR1: true,
  SIGUSR2: true,
  SIGBREAK: true,
};

/**
 * Restarts `task` in place whenever the process receives one of `signals`
 * (typically `SIGHUP`, to reload configuration), as goasync's
 * `Interruptible` does. On such a signal the running `execute` is asked to
 * stop (its signal aborts with an `AbortError`); once it has settled,
 * `cleanup` and then `initialize` are called, and `execute` starts again
 * with a fresh signal. The manager's own stop ends it for good.
 *
 * Lifecycle, for a task with all three stages:
 * - The manager calls `initialize` once before, and `cleanup` once after,
 *   as for any task; they are passed through unchanged.
 * - Each restart calls the task's `cleanup` then `initialize` in between two
 *   `execute`s, with the returned task's execute signal (so they see the stop
 *   if it comes during a restart). A stage the task lacks is skipped.
 * - A signal that arrives while `initialize` runs for a restart causes one
 *   more restart right after it, so no signal is missed; signals that arrive
 *   together count once.
 *
 * The returned task's `execute`:
 * - after the manager's stop, settles as the wrapped `execute` does (the
 *   stop's signal reaches it with the stop's own reason, so the manager takes
 *   a rejection with it for a clean stop), or resolves once a restart in
 *   progress at the stop has finished;
 * - after an OS signal, takes a rejection with that signal's reason or any
 *   `AbortError` for a clean stop, and restarts;
 * - rejects if the wrapped `execute` fails otherwise, or if a restart's
 *   `cleanup` or `initialize` fails: an `Error` naming the stage, with the
 *   failure as its `cause` (the manager then calls `cleanup` as usual);
 * - resolves if the wrapped `execute` returns by itself, leaving it to the
 *   task type to decide whether that was expected (a `strict` task's early
 *   return is an `UnexpectedStopError`). goasync reports an error here.
 *
 * Signal listeners are added when `execute` starts and removed as soon as
 * the manager stops it, even if the wrapped task is slow to settle, so that
 * none is left to keep the process alive. Listening needs the signals
 * adapter: in a runtime without OS signals `execute` rejects.
 *
 * @param signals The OS signals that restart the task; at least one.
 * @param task The task to restart, or a bare function used as its `execute`.
 * @returns A task to add to a `TaskManager`.
 * @throws {TypeError} For an empty or non-array `signals`, an unknown signal
 * name, or a task without an `execute` function.
 *
 * @example A server that reloads its configuration on SIGHUP
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { interruptible } from "@goasync/core/tasks";
 *
 * let config = { version: 0 };
 * const manager = new TaskManager();
 * manager.addTask(
 *   "server",
 *   interruptible(["SIGHUP"], {
 *     initialize() {
 *       config = { version: config.version + 1 }; // read the file here
 *     },
 *     execute(signal) {
 *       console.log("serving with config version", config.version);
 *       return new Promise((resolve) =>
 *         signal.addEventListener("abort", () => resolve(), { once: true })
 *       );
 *     },
 *   }),
 * );
 * // `kill -HUP <pid>` now prints "serving with config version 2", and so on.
 * await manager.run(AbortSignal.timeout(50));
 * ```
 */
export function interruptible(
  signals: readonly OsSignal[],
  task: Task | ExecuteFn,
): Task {
  const names = readSignals(signals);
  const stages = toStages("interruptible", task);
  return wrap(stages, async (signal) => {
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
          if (signal.aborted || !isAbortEcho(round.signal, error)) throw error;
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
  stages: Stages,
  signal: AbortSignal,
  beforeInitialize: () => void,
) {
  let stage = "cleanup";
  try {
    await stages.cleanup?.(signal);
    stage = "initialize";
    beforeInitialize();
    await stages.initialize?.(signal);
  } catch (cause) {
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

function readSignals(signals: unknown): OsSignal[] {
  if (!Array.isArray(signals) || signals.length === 0) {
    throw new TypeError(
      `interruptible: signals must be a non-empty array of signal names, got ${
        describe(signals)
      }`,
    );
  }
  for (const name of signals) {
    if (typeof name !== "string" || !Object.hasOwn(KNOWN_SIGNALS, name)) {
      throw new TypeError(
        `interruptible: unknown signal ${describe(name)}; expected one of ${
          Object.keys(KNOWN_SIGNALS).join(", ")
        }`,
      );
    }
  }
  return [...new Set(signals as OsSignal[])];
}
