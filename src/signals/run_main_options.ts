/**
 * The options of {@linkcode runMain} and their validation.
 *
 * @module
 */

import {
  checkDelay,
  checkFunction,
  checkNumber,
  checkOptions,
} from "../_internal/checks.ts";
import { show } from "../_internal/render.ts";
import { checkOsSignals, defaultSignals, type OsSignal } from "./os_signal.ts";
import type { SignalRuntime } from "./runtime.ts";

/**
 * Options for {@linkcode runMain}.
 *
 * @example
 * ```ts
 * import type { RunMainOptions } from "@goasync/core/signals";
 *
 * const options: RunMainOptions = {
 *   signals: ["SIGINT", "SIGTERM"],
 *   shutdownTimeout: 25_000, // below Kubernetes' terminationGracePeriodSeconds
 *   duplicateWindow: 300,
 *   signalExitCode: "zero",
 *   reporter: (line) => console.error(line),
 * };
 * ```
 */
export interface RunMainOptions {
  /**
   * The signals that stop the manager. Default: SIGINT and SIGTERM (on
   * Windows, which never raises SIGTERM: SIGINT and SIGBREAK).
   */
  signals?: readonly OsSignal[];
  /**
   * A hard bound, in milliseconds, on the shutdown that the first signal
   * starts. If the manager has not finished by then, `runMain` reports it and
   * exits with code 1, abandoning whatever still runs. Like the manager's own
   * `shutdownTimeout`, it counts from the moment the tasks are told to stop:
   * the first signal, or the end of the manager's `drainDelay` (so a process
   * lives at most drain + this after SIGTERM). A stop caused by a task is
   * bounded by the manager's `shutdownTimeout` alone. Default: no bound.
   */
  shutdownTimeout?: number;
  /**
   * How long, in milliseconds after the first signal, a repeat of that same
   * signal counts as the same request (one Ctrl-C delivered by both the
   * terminal and a wrapper such as `npx`) rather than a demand to exit at
   * once. Default: 300. `0` makes every repeat force the exit.
   */
  duplicateWindow?: number;
  /**
   * The exit code after a signal stopped the manager cleanly: `"zero"`
   * (default) exits 0; `"128+n"` exits 128 + the signal's number (130 after
   * SIGINT, 143 after SIGTERM), for supervisors that expect a process stopped
   * by a signal to say so.
   */
  signalExitCode?: "zero" | "128+n";
  /**
   * Receives each line `runMain` would write to stderr, with the error it
   * describes (a `TaskError`, or `runMain`'s own `Error`). Called
   * synchronously; if it throws, or returns a promise that rejects, the line
   * goes to stderr instead, and a returned promise is waited for (up to 5 s)
   * before the exit. Default: write the line to stderr.
   */
  reporter?: (line: string, error: unknown) => void;
  /**
   * Ends the process with the given code. Default: flush stdout and stderr,
   * then exit through the runtime. For tests and embedders: if it returns,
   * `runMain` resolves after it.
   */
  exit?: (code: number) => void;
}

/**
 * What {@linkcode runMain} needs of a manager: a `run` that takes an
 * `AbortSignal` and resolves with the errors. `TaskManager`, the testing
 * fakes and any other `AsyncTaskManager` fit.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import type { RunnableManager } from "@goasync/core/signals";
 *
 * const manager: RunnableManager = new TaskManager();
 * ```
 */
export interface RunnableManager {
  /** Runs until `signal` aborts (or the tasks stop); resolves with the errors. */
  run(signal?: AbortSignal): Promise<readonly unknown[]>;
}

/** Options after validation, with defaults filled in. */
export interface Settings {
  signals: OsSignal[];
  shutdownTimeout: number | undefined;
  duplicateWindow: number;
  signalExitCode: "zero" | "128+n";
  reporter: RunMainOptions["reporter"];
  exit: ((code: number) => void) | undefined;
}

/**
 * Validates `runMain`'s arguments before anything is started.
 *
 * @throws {TypeError} For a manager without `run`, or an option of the
 * wrong type.
 * @throws {RangeError} For a timeout or window out of range.
 * @throws {Error} For a signal the platform lacks.
 */
export function checkRunMainOptions(
  runtime: SignalRuntime,
  manager: unknown,
  options: unknown,
): Settings {
  if (
    manager === null || typeof manager !== "object" ||
    typeof (manager as { run?: unknown }).run !== "function"
  ) {
    throw new TypeError(
      `runMain: manager must be a TaskManager (an object with a run method), got ${
        show(manager)
      }`,
    );
  }
  const o = checkOptions<RunMainOptions>(options, "runMain: options");
  const signals = checkOsSignals(
    o.signals ?? defaultSignals(runtime),
    "runMain",
    runtime.platform,
  );
  const signalExitCode = o.signalExitCode ?? "zero";
  if (signalExitCode !== "zero" && signalExitCode !== "128+n") {
    throw new TypeError(
      `runMain: signalExitCode must be "zero" or "128+n", got ${
        show(signalExitCode)
      }`,
    );
  }
  const optional = <T>(value: T | undefined, check: (v: unknown) => T) =>
    value === undefined ? undefined : check(value);
  return {
    signals,
    shutdownTimeout: optional(
      o.shutdownTimeout,
      (v) => checkDelay(v, "runMain: shutdownTimeout"),
    ),
    duplicateWindow: checkNumber(
      o.duplicateWindow ?? 300,
      "runMain: duplicateWindow",
      0,
      Infinity,
      "milliseconds",
    ),
    signalExitCode,
    reporter: optional(
      o.reporter,
      (v) => checkFunction(v, "runMain: reporter"),
    ),
    exit: optional(o.exit, (v) => checkFunction(v, "runMain: exit")),
  };
}
