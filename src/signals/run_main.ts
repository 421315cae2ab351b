/**
 * {@linkcode runMain}: the one call a service's entry point makes.
 *
 * @module
 */

import { show } from "../_internal/render.ts";
import { type OsSignal, signalNumber } from "./os_signal.ts";
import { currentRuntime } from "./detect_runtime.ts";
import { addHandler, removeHandler } from "./listeners.ts";
import {
  checkOptions,
  MAX_DELAY,
  type RunMainOptions,
  type RunnableManager,
} from "./run_main_options.ts";
import { SignalPresses } from "./signal_presses.ts";
import { signalReason } from "./signal_reason.ts";
import { errorLine, noticeLine } from "./report_line.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

export type { RunMainOptions, RunnableManager } from "./run_main_options.ts";

/**
 * Runs `manager` as the program: stops it on a signal, reports its errors,
 * and ends the process with an exit code that says how it went.
 *
 * - Listens for `signals` (default SIGINT and SIGTERM; SIGINT and SIGBREAK
 *   on Windows). The first one stops the manager, whose tasks see an
 *   `AbortError` naming the signal.
 * - Keeps the process alive while the manager runs (a signal listener alone
 *   does not on Node.js, nor anywhere once top-level code has finished).
 * - Writes each `TaskError` to stderr as one line with the task's name and
 *   stage, then exits: 0 when there were none, 1 when there were any.
 * - A repeat of the first signal within `duplicateWindow` (300 ms) is the
 *   same request and is ignored; a later repeat, or another of `signals`,
 *   while the shutdown runs exits at once with 128 + that signal's number
 *   (130 for SIGINT, 143 for SIGTERM).
 * - At `shutdownTimeout` after the first signal, exits with 1.
 * - Removes every listener it added before exiting, and no other.
 *
 * If the manager cannot run (its `run` rejects, e.g. it already ran), that
 * is reported and the exit code is 1.
 *
 * @param manager The manager to run; `run` must not have been called.
 * @param options See {@linkcode RunMainOptions}.
 * @returns A promise that settles only if `options.exit` returns.
 * @throws {TypeError} (as a rejection) For a manager without `run` or bad
 * options; nothing is started.
 * @throws {Error} (as a rejection) In a runtime without OS signals, or for a
 * signal the platform lacks.
 *
 * @example A service's entry point
 * ```ts ignore
 * import { TaskManager } from "@goasync/core";
 * import { runMain } from "@goasync/core/signals";
 *
 * const manager = new TaskManager({ shutdownTimeout: 10_000 });
 * manager.addTask("server", {
 *   initialize: () => console.log("listening"),
 *   execute: (signal) =>
 *     new Promise((resolve) =>
 *       signal.addEventListener("abort", () => resolve(), { once: true })
 *     ),
 *   cleanup: () => console.log("closed"),
 * });
 * await runMain(manager, { shutdownTimeout: 25_000 }); // exits the process
 * ```
 */
export function runMain(
  manager: RunnableManager,
  options: RunMainOptions = {},
): Promise<void> {
  try {
    return runMainWith(currentRuntime(), manager, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * {@linkcode runMain} against a given runtime and clock; the layer's tests
 * drive it with a fake runtime.
 */
export function runMainWith(
  runtime: SignalRuntime,
  manager: RunnableManager,
  options: RunMainOptions = {},
  now: () => number = () => performance.now(),
): Promise<void> {
  const settings = checkOptions(runtime, manager, options);
  const { signals, shutdownTimeout, reporter } = settings;
  const exit = settings.exit ?? ((code: number) => runtime.exit(code));
  const presses = new SignalPresses(settings.duplicateWindow);
  const stop = new AbortController();
  const exitCode = (signal: OsSignal) =>
    128 + signalNumber(signal, runtime.platform);

  let forced = false;
  let exited = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  // Holds the event loop open while the manager runs: on Node.js a signal
  // listener does not, and a service whose tasks only wait would exit.
  const keepAlive = setInterval(() => {}, MAX_DELAY);
  const handlers = new Map<OsSignal, () => void>();
  const { promise: finished, resolve, reject } = Promise.withResolvers<void>();

  const report = (line: string, error: unknown) => {
    try {
      if (reporter) return reporter(line, error);
    } catch {
      // A broken reporter must not hide the error: fall back to stderr.
    }
    runtime.writeStderr(`${line}\n`).catch(() => {});
  };

  /** Removes what runMain installed, then exits; only the first call acts. */
  const exitNow = (code: number) => {
    if (exited) return;
    exited = true;
    clearInterval(keepAlive);
    clearTimeout(deadline);
    for (const [signal, handler] of handlers) {
      removeHandler(runtime, signal, handler, "runMain");
    }
    try {
      exit(code);
      resolve();
    } catch (error) {
      reject(error);
    }
  };

  /** Ends the shutdown early: reports why, flushes, exits with `code`. */
  const force = (code: number, message: string) => {
    if (forced || exited) return;
    forced = true;
    report(noticeLine(message), new Error(message));
    runtime.flush().finally(() => exitNow(code));
  };

  const onSignal = (signal: OsSignal) => {
    if (exited) return;
    const press = presses.record(signal, now());
    if (press === "duplicate") return;
    if (press === "again") {
      const code = exitCode(signal);
      return force(
        code,
        signal === presses.first
          ? `received ${signal} again while shutting down; exiting at once with code ${code}`
          : `received ${signal} while shutting down after ${presses.first}; exiting at once with code ${code}`,
      );
    }
    stop.abort(signalReason(signal));
    if (shutdownTimeout !== undefined) {
      deadline = setTimeout(() =>
        force(
          1,
          `shutdown did not finish within ${shutdownTimeout} ms of ${signal}; exiting with code 1`,
        ), shutdownTimeout);
    }
  };

  try {
    for (const signal of signals) {
      const handler = () => onSignal(signal);
      addHandler(runtime, signal, handler, "runMain");
      handlers.set(signal, handler);
    }
  } catch (error) {
    exited = true;
    clearInterval(keepAlive);
    for (const [signal, handler] of handlers) {
      removeHandler(runtime, signal, handler, "runMain");
    }
    return Promise.reject(error);
  }

  /** The manager has finished (or failed to run): report, flush, exit. */
  const conclude = (lines: [string, unknown][], code: number) => {
    if (forced || exited) return;
    for (const [line, error] of lines) report(line, error);
    runtime.flush().finally(() => {
      if (!forced) exitNow(code);
    });
  };

  new Promise<unknown>((resolve) => resolve(manager.run(stop.signal))).then(
    (errors) => {
      if (!Array.isArray(errors)) {
        const message = `the task manager's run resolved with ${
          show(errors)
        }, not a list of errors`;
        return conclude([[noticeLine(message), new TypeError(message)]], 1);
      }
      const first = presses.first;
      const clean = first !== undefined && settings.signalExitCode === "128+n"
        ? exitCode(first)
        : 0;
      conclude(
        errors.map((error) => [errorLine(error), error]),
        errors.length > 0 ? 1 : clean,
      );
    },
    (error) =>
      conclude([[
        noticeLine(`the task manager could not run: ${describe(error)}`),
        error,
      ]], 1),
  );

  return finished;
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "(an error that cannot be described)";
  }
}
