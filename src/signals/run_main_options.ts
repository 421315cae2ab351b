/**
 * The options of {@linkcode runMain} and their validation.
 *
 * @module
 */

import { show } from "../_internal/render.ts";
import { checkOsSignals, type OsSignal } from "./os_signal.ts";
import { defaultSignals } from "./shutdown_controller.ts";
import { DEFAULT_DUPLICATE_WINDOW } from "./signal_presses.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

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
   * exits with code 1, abandoning whatever still runs. Counted from the first
   * signal only: a stop caused by a task is bounded by the manager's own
   * `shutdownTimeout`. Default: no bound.
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
   * synchronously; default: write the line to stderr.
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

/** The largest delay timers accept. */
export const MAX_DELAY = 2_147_483_647;

/** Options after validation, with defaults filled in. */
export interface Settings {
  signals: OsSignal[];
  shutdownTimeout: number | undefined;
  duplicateWindow: number;
  signalExitCode: "zero" | "128+n";
  reporter: ((line: string, error: unknown) => void) | undefined;
  exit: ((code: number) => void) | undefined;
}

/**
 * Validates `runMain`'s arguments before anything is started.
 *
 * @throws {TypeError} For a manager without `run`, or a bad option type.
 * @throws {RangeError} For a timeout or window out of range.
 * @throws {Error} For a signal the platform lacks.
 */
export function checkOptions(
  runtime: SignalRuntime,
  manager: unknown,
  options: unknown,
): Settings {
  if (
    manager === null || typeof manager !== "object" ||
    typeof (manager as { run?: unknown }).run !== "function"
  ) {
    throw new TypeError(
      "runMain: manager must be a TaskManager (an object with a run method)",
    );
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError("runMain: options must be an object");
  }
  const o = options as RunMainOptions;
  const signals = checkOsSignals(
    o.signals ?? defaultSignals(runtime),
    "runMain",
    runtime.platform,
  );
  const timeout = o.shutdownTimeout;
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !(timeout >= 0) || timeout > MAX_DELAY)
  ) {
    throw new RangeError(
      `runMain: shutdownTimeout must be a number of milliseconds from 0 to ${MAX_DELAY}, got ${
        show(timeout)
      }`,
    );
  }
  const window = o.duplicateWindow ?? DEFAULT_DUPLICATE_WINDOW;
  if (typeof window !== "number" || !(window >= 0)) {
    throw new RangeError(
      `runMain: duplicateWindow must be a number of milliseconds, 0 or more, got ${
        show(window)
      }`,
    );
  }
  const signalExitCode = o.signalExitCode ?? "zero";
  if (signalExitCode !== "zero" && signalExitCode !== "128+n") {
    throw new TypeError(
      `runMain: signalExitCode must be "zero" or "128+n", got ${
        show(signalExitCode)
      }`,
    );
  }
  for (const name of ["reporter", "exit"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      throw new TypeError(`runMain: ${name} must be a function`);
    }
  }
  return {
    signals,
    shutdownTimeout: timeout,
    duplicateWindow: window,
    signalExitCode,
    reporter: o.reporter,
    exit: o.exit,
  };
}
