/**
 * The kinds of task and the stages of a task's life.
 *
 * @module
 */

/**
 * How a task added with `addTask` affects the manager when it ends.
 *
 * - `strict`: the task should run until the manager stops. Returning or
 *   throwing before that stops the manager; an early return is reported as an
 *   `UnexpectedStopError`.
 * - `error`: returning is fine; throwing stops the manager.
 * - `stop-group`: throwing stops the manager; so does the return of the last
 *   `stop-group` task still running, cleanly and without an error.
 *
 * @example
 * ```ts
 * import { TaskManager, TaskType } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("migrate", () => {}, TaskType.StopGroup);
 * const errors = await manager.run();
 * console.log(errors.length); // 0: the only stop-group task returned
 * ```
 */
export const TaskType: {
  readonly Strict: "strict";
  readonly Error: "error";
  readonly StopGroup: "stop-group";
} = {
  Strict: "strict",
  Error: "error",
  StopGroup: "stop-group",
} as const;

/**
 * A value of {@linkcode TaskType}: `"strict"`, `"error"` or `"stop-group"`.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskType } from "@goasync/core";
 *
 * const type: TaskType = "error";
 * new TaskManager().addTask("report", () => {}, type);
 * ```
 */
export type TaskType = typeof TaskType[keyof typeof TaskType];

/**
 * How a task added with `addExecuteTask` affects the manager when it ends:
 * `strict` tasks should run until the manager stops, `error` tasks may return
 * at any time and stop the manager only by throwing.
 *
 * @example
 * ```ts
 * import { ExecuteTaskType, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addExecuteTask("one-off", () => {}, ExecuteTaskType.Error);
 * ```
 */
export const ExecuteTaskType: {
  readonly Strict: "strict";
  readonly Error: "error";
} = {
  Strict: "strict",
  Error: "error",
} as const;

/**
 * A value of {@linkcode ExecuteTaskType}: `"strict"` or `"error"`.
 *
 * @example
 * ```ts
 * import { type ExecuteTaskType, TaskManager } from "@goasync/core";
 *
 * const type: ExecuteTaskType = "error";
 * new TaskManager().addExecuteTask("request", () => {}, type);
 * ```
 */
export type ExecuteTaskType =
  typeof ExecuteTaskType[keyof typeof ExecuteTaskType];

/**
 * The stage of a task's life in which a {@linkcode TaskError} happened.
 *
 * @example
 * ```ts
 * import { Stage, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("db", {
 *   initialize() {
 *     throw new Error("no database");
 *   },
 *   execute() {},
 * });
 * const [error] = await manager.run();
 * console.log(error.stage === Stage.Initialize); // true
 * ```
 */
export const Stage: {
  readonly Initialize: "initialize";
  readonly Execute: "execute";
  readonly Cleanup: "cleanup";
} = {
  Initialize: "initialize",
  Execute: "execute",
  Cleanup: "cleanup",
} as const;

/**
 * A value of {@linkcode Stage}: `"initialize"`, `"execute"` or `"cleanup"`.
 *
 * @example
 * ```ts
 * import type { Stage, TaskError } from "@goasync/core";
 *
 * const startupFailures = (errors: TaskError[]) =>
 *   errors.filter((error) => error.stage === ("initialize" satisfies Stage));
 * console.log(startupFailures([]).length); // 0
 * ```
 */
export type Stage = typeof Stage[keyof typeof Stage];
