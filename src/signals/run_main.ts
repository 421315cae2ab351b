/**
 * {@linkcode runMain}: the one call a service's entry point makes.
 *
 * @module
 */

import { MAX_TIMER_DELAY } from "../_internal/checks.ts";
import { describe, show } from "../_internal/render.ts";
import { whenSettled } from "../_internal/settle.ts";
import { startTimer, stopTimer, type Timer } from "../_internal/timers.ts";
import { listenUntilDisposed } from "./listeners.ts";
import { type OsSignal, signalNumber, signalReason } from "./os_signal.ts";
import {
  checkRunMainOptions,
  type RunMainOptions,
  type RunnableManager,
  type Settings,
} from "./run_main_options.ts";
import { currentRuntime, type SignalRuntime } from "./runtime.ts";

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
 *   while the shutdown runs (the manager's drain included) exits at once
 *   with 128 + that signal's number (130 for SIGINT, 143 for SIGTERM).
 * - At `shutdownTimeout` after the first signal (after the manager's drain,
 *   for a manager that drains), exits with 1.
 * - Removes every listener it added before exiting, and no other.
 *
 * If the manager cannot run (its `run` rejects, e.g. it already ran), that
 * is reported and the exit code is 1.
 *
 * @param manager The manager to run; `run` must not have been called.
 * @param options See {@linkcode RunMainOptions}.
 * @returns A promise that settles only if `options.exit` returns.
 * @throws {TypeError} (as a rejection) For a manager without `run` or an
 * option of the wrong type; nothing is started.
 * @throws {RangeError} (as a rejection) For a timeout or window out of range.
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
 *
 * @throws {TypeError} For a bad manager or options (synchronously).
 * @throws {RangeError} For a timeout or window out of range.
 */
export function runMainWith(
  runtime: SignalRuntime,
  manager: RunnableManager,
  options: RunMainOptions = {},
  now: () => number = () => performance.now(),
): Promise<void> {
  const settings = checkRunMainOptions(runtime, manager, options);
  return new MainRun(runtime, manager, settings, now).start();
}

/** The prefix of every line `runMain` writes, so logs show who wrote it. */
const PREFIX = "goasync:";

/**
 * How long a reporter's returned promise may delay the exit: a reporter
 * that never settles must not keep a stopping service alive.
 */
const REPORT_GUARD_MS = 5_000;

/** What a signal delivery means once the shutdown has begun. */
type Press = "first" | "duplicate" | "again";

/**
 * Tells a new request to stop from the same request delivered twice (a
 * terminal signals the whole process group, and wrappers such as `npx`
 * forward it too). The window counts from the first delivery, so a stream
 * of repeats cannot extend it.
 */
export class SignalPresses {
  readonly #window: number;
  #first: { signal: OsSignal; at: number } | undefined = undefined;

  /** @param window How long, in ms, a repeat of the first signal is a duplicate. */
  constructor(window: number = 300) {
    this.#window = window;
  }

  /** The first signal received, if any. */
  get first(): OsSignal | undefined {
    return this.#first?.signal;
  }

  /** Records a delivery of `signal` at `at` (ms, monotonic); says what it means. */
  record(signal: OsSignal, at: number): Press {
    const first = this.#first;
    if (!first) {
      this.#first = { signal, at };
      return "first";
    }
    return signal === first.signal && at - first.at < this.#window
      ? "duplicate"
      : "again";
  }
}

/**
 * One `runMain`: runs the manager, then reports and exits exactly once,
 * either when the manager ends ("concluding") or when a second signal or
 * the deadline cuts the shutdown short ("forcing").
 */
class MainRun {
  readonly #runtime: SignalRuntime;
  readonly #manager: RunnableManager;
  readonly #settings: Settings;
  readonly #now: () => number;
  readonly #presses: SignalPresses;
  readonly #stop = new AbortController();
  readonly #done = Promise.withResolvers<void>();
  readonly #reports: Promise<void>[] = [];
  #phase: "running" | "concluding" | "forcing" | "exited" = "running";
  #listening: Disposable | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #deadline: Timer | undefined;
  #afterDrain: (() => void) | undefined;

  constructor(
    runtime: SignalRuntime,
    manager: RunnableManager,
    settings: Settings,
    now: () => number,
  ) {
    this.#runtime = runtime;
    this.#manager = manager;
    this.#settings = settings;
    this.#now = now;
    this.#presses = new SignalPresses(settings.duplicateWindow);
  }

  start(): Promise<void> {
    try {
      this.#listening = listenUntilDisposed(
        this.#runtime,
        this.#settings.signals,
        (signal) => this.#onSignal(signal),
        "runMain",
      );
    } catch (error) {
      return Promise.reject(error);
    }
    // A signal listener does not keep a Node.js process alive; this does.
    this.#keepAlive = setInterval(() => {}, MAX_TIMER_DELAY);
    new Promise<unknown>((resolve) =>
      resolve(this.#manager.run(this.#stop.signal))
    ).then(
      (errors) => this.#managerEnded(errors),
      (error) =>
        this.#conclude(1, [[
          notice(`the task manager could not run: ${describe(error)}`),
          error,
        ]]),
    );
    return this.#done.promise;
  }

  #onSignal(signal: OsSignal): void {
    if (this.#phase === "exited") return;
    const press = this.#presses.record(signal, this.#now());
    if (press === "first") return this.#stopManager(signal);
    if (press === "duplicate") return;
    const code = this.#exitCodeAfter(signal);
    const first = this.#presses.first;
    this.#force(
      code,
      signal === first
        ? `received ${signal} again while shutting down; exiting at once with code ${code}`
        : `received ${signal} while shutting down after ${first}; exiting at once with code ${code}`,
    );
  }

  /** Aborts the run signal; the deadline counts from the end of any drain. */
  #stopManager(signal: OsSignal): void {
    this.#stop.abort(signalReason(signal));
    const timeout = this.#settings.shutdownTimeout;
    if (timeout === undefined) return;
    this.#afterDrainOf((drained) => {
      const since = drained ? `the end of the drain after ${signal}` : signal;
      this.#deadline = startTimer(() =>
        this.#force(
          1,
          `shutdown did not finish within ${timeout} ms of ${since}; exiting with code 1`,
        ), timeout);
      // Arming may have let the run end (Deno: src/_internal/timers.ts).
      if (this.#phase === "exited") stopTimer(this.#deadline);
    });
  }

  /**
   * Calls `then` once the manager is not draining: at once (`false`) if it
   * is not, else when its state changes (`true`).
   */
  #afterDrainOf(then: (drained: boolean) => void): void {
    const manager = this.#manager as Partial<EventTarget> & { state?: unknown };
    if (
      manager.state !== "draining" ||
      typeof manager.addEventListener !== "function"
    ) {
      return then(false);
    }
    this.#afterDrain = () => {
      if (manager.state === "draining") return;
      this.#stopWaitingForDrain();
      if (this.#phase !== "exited") then(true);
    };
    manager.addEventListener("statechange", this.#afterDrain);
  }

  #stopWaitingForDrain(): void {
    if (!this.#afterDrain) return;
    (this.#manager as Partial<EventTarget>).removeEventListener?.(
      "statechange",
      this.#afterDrain,
    );
    this.#afterDrain = undefined;
  }

  #managerEnded(errors: unknown): void {
    if (!Array.isArray(errors)) {
      const message = `the task manager's run resolved with ${
        show(errors)
      }, not a list of errors`;
      return this.#conclude(1, [[notice(message), new TypeError(message)]]);
    }
    const first = this.#presses.first;
    const clean =
      first !== undefined && this.#settings.signalExitCode === "128+n"
        ? this.#exitCodeAfter(first)
        : 0;
    this.#conclude(
      errors.length > 0 ? 1 : clean,
      errors.map((error) => [errorLine(error), error]),
    );
  }

  /** The manager has ended (or could not run): report, flush, exit. */
  #conclude(code: number, lines: [string, unknown][]): void {
    if (this.#phase !== "running") return;
    this.#phase = "concluding";
    for (const [line, error] of lines) this.#report(line, error);
    this.#flushThen(() => {
      if (this.#phase === "concluding") this.#exit(code);
    });
  }

  /** Cuts the shutdown short: reports why, flushes, exits with `code`. */
  #force(code: number, message: string): void {
    if (this.#phase === "forcing" || this.#phase === "exited") return;
    this.#phase = "forcing";
    this.#report(notice(message), new Error(message));
    this.#flushThen(() => this.#exit(code));
  }

  /** Sends a line to the reporter; to stderr if there is none or it fails. */
  #report(line: string, error: unknown): void {
    const toStderr = () =>
      void this.#runtime.writeStderr(`${line}\n`).catch(() => {});
    const reporter = this.#settings.reporter;
    if (!reporter) return toStderr();
    let returned: unknown;
    try {
      returned = reporter(line, error);
    } catch {
      return toStderr();
    }
    if (returned === undefined) return;
    this.#reports.push(
      new Promise((settled) =>
        whenSettled(returned, settled, () => {
          toStderr();
          settled();
        })
      ),
    );
  }

  /** Flushes once the reporter's promises have settled (or 5 s passed). */
  #flushThen(then: () => void): void {
    this.#reportsSettled().then(() => this.#runtime.flush()).finally(then);
  }

  #reportsSettled(): Promise<void> {
    if (this.#reports.length === 0) return Promise.resolve();
    let guard: Timer | undefined;
    return new Promise<void>((resolve) => {
      guard = startTimer(resolve, REPORT_GUARD_MS);
      Promise.all(this.#reports).then(() => resolve());
    }).finally(() => stopTimer(guard));
  }

  /** Removes what `runMain` installed, then exits; only the first call acts. */
  #exit(code: number): void {
    if (this.#phase === "exited") return;
    this.#phase = "exited";
    clearInterval(this.#keepAlive);
    stopTimer(this.#deadline);
    this.#stopWaitingForDrain();
    this.#listening?.[Symbol.dispose]();
    try {
      (this.#settings.exit ?? ((code) => this.#runtime.exit(code)))(code);
      this.#done.resolve();
    } catch (error) {
      this.#done.reject(error);
    }
  }

  #exitCodeAfter(signal: OsSignal): number {
    return 128 + signalNumber(signal, this.#runtime.platform);
  }
}

/**
 * One line for an error a manager reported. A `TaskError`'s message names
 * the task and the stage; another error carrying `taskName` and `stage` is
 * given them.
 */
function errorLine(error: unknown): string {
  let named = "";
  try {
    const task = error as { taskName?: unknown; stage?: unknown };
    if (
      error instanceof Error && typeof task.taskName === "string" &&
      typeof task.stage === "string" && !error.message.includes(task.taskName)
    ) {
      named = `task "${task.taskName}" failed in ${task.stage}: `;
    }
  } catch {
    // Getters that throw: describe the error alone.
  }
  return notice(`${named}${describe(error)}`);
}

/** One line of `runMain`'s own. */
function notice(message: string): string {
  return `${PREFIX} ${message}`;
}
