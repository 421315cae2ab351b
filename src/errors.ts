/**
 * The errors a `TaskManager` reports.
 *
 * @module
 */

import type { ExecuteTaskType, Stage, TaskType } from "./task_type.ts";
import { describe } from "./_internal/render.ts";

/**
 * One failure of one task, in one stage. `TaskManager.run` resolves with a list
 * of these; it never rejects for a task's failure.
 *
 * `cause` is exactly what the task threw or rejected with, whatever it was: an
 * `Error`, a string, `undefined` or anything else.
 *
 * @example
 * ```ts
 * import { TaskError, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("worker", () => {
 *   throw "out of coffee";
 * });
 * const [error] = await manager.run();
 * console.log(error instanceof TaskError); // true
 * console.log(error.taskName, error.stage, error.cause); // worker execute out of coffee
 * ```
 */
export class TaskError extends Error {
  /** The name the task was added under. */
  readonly taskName: string;
  /** The stage that failed. */
  readonly stage: Stage;
  /** The type the task was added with. */
  readonly taskType?: TaskType | ExecuteTaskType;
  /** What the task threw or rejected with, untouched. */
  override readonly cause: unknown;

  /**
   * Creates the error for a failure of `taskName` in `stage`.
   *
   * @param taskName The name the task was added under.
   * @param stage The stage that failed.
   * @param cause What the task threw or rejected with.
   * @param taskType The type the task was added with.
   */
  constructor(
    taskName: string,
    stage: Stage,
    cause: unknown,
    taskType?: TaskType | ExecuteTaskType,
  ) {
    super(`task "${taskName}" failed in ${stage}: ${describe(cause)}`, {
      cause,
    });
    this.name = "TaskError";
    this.taskName = taskName;
    this.stage = stage;
    this.taskType = taskType;
    this.cause = cause;
  }
}

/**
 * The cause of a {@linkcode TaskError} when a `strict` task returned before the
 * manager was stopped. Returning after the stop is expected and never an error.
 *
 * @example
 * ```ts
 * import { TaskManager, UnexpectedStopError } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("server", () => {}); // returns at once: a strict task may not
 * const [error] = await manager.run();
 * console.log(error.cause instanceof UnexpectedStopError); // true
 * ```
 */
export class UnexpectedStopError extends Error {
  /**
   * Creates the error for the strict task `taskName`.
   *
   * @param taskName The name the task was added under.
   */
  constructor(taskName: string) {
    super(`strict task "${taskName}" returned before the manager stopped`);
    this.name = "UnexpectedStopError";
  }
}

/**
 * The cause of a {@linkcode TaskError} when a task was still running when the
 * manager's `shutdownTimeout` expired. The manager stops waiting for it; the
 * task itself cannot be stopped by force and may go on running.
 *
 * @example
 * ```ts
 * import { ShutdownTimeoutError, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager({ shutdownTimeout: 10 });
 * manager.addTask("stubborn", () => new Promise(() => {})); // ignores its signal
 * manager.addTask("job", () => {}, "stop-group"); // done at once: stops the manager
 * const [error] = await manager.run();
 * console.log(error.cause instanceof ShutdownTimeoutError); // true
 * ```
 */
export class ShutdownTimeoutError extends Error {
  /**
   * Creates the error for `taskName`, abandoned in `stage` after `timeout` ms.
   *
   * @param taskName The name the task was added under.
   * @param stage The stage that did not settle in time.
   * @param timeout The shutdown timeout, in milliseconds.
   */
  constructor(taskName: string, stage: Stage, timeout: number) {
    super(
      `task "${taskName}" did not finish ${stage} within the shutdown timeout of ${timeout} ms`,
    );
    this.name = "ShutdownTimeoutError";
  }
}

/**
 * The cause of a {@linkcode TaskError} when a task with a restart policy kept
 * failing: one more restart would have made more than `restarts` restarts
 * within `within` ms. Its own `cause` is the last failure (an
 * `UnexpectedStopError` when a `permanent` task returned).
 *
 * @example
 * ```ts
 * import { RestartIntensityError, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("flaky", () => {
 *   throw new Error("down");
 * }, { restart: "transient", backoff: { initial: 0 }, intensity: { maxRestarts: 2 } });
 * const [error] = await manager.run();
 * console.log(error.cause instanceof RestartIntensityError); // true
 * ```
 */
export class RestartIntensityError extends Error {
  /** How many restarts were made within the window (its `maxRestarts`). */
  readonly restarts: number;
  /** The window, in milliseconds. */
  readonly within: number;
  /** The last failure. */
  override readonly cause: unknown;

  /**
   * Creates the error for `taskName`.
   *
   * @param taskName The name the task was added under.
   * @param restarts The restarts made within the window.
   * @param within The window, in milliseconds.
   * @param cause The last failure.
   */
  constructor(
    taskName: string,
    restarts: number,
    within: number,
    cause: unknown,
  ) {
    super(
      `task "${taskName}" failed again after ${restarts} restarts within ${within} ms: ${
        describe(cause)
      }`,
      { cause },
    );
    this.name = "RestartIntensityError";
    this.restarts = restarts;
    this.within = within;
    this.cause = cause;
  }
}
