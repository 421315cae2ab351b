/**
 * `@goasync/core`: a lifecycle manager for long-running programs, after the Go
 * library goasync. A {@linkcode TaskManager} initializes tasks in order,
 * executes them concurrently, and cleans them up in reverse order; each task's
 * type decides whether its end stops the rest.
 *
 * The core uses web-standard primitives only (`AbortController`, `Promise`,
 * `EventTarget`) and runs unchanged on Deno, Node.js and Bun. OS signals live
 * in `@goasync/core/signals`.
 *
 * @example A service with a server and a job; the job's end stops it
 * ```ts
 * import { TaskManager } from "@goasync/core";
 *
 * const untilAborted = (signal: AbortSignal) =>
 *   new Promise((resolve) =>
 *     signal.addEventListener("abort", resolve, { once: true })
 *   );
 *
 * const manager = new TaskManager({ shutdownTimeout: 10_000 });
 * manager.addTask("server", {
 *   initialize: () => console.log("bound port"),
 *   execute: untilAborted,
 *   cleanup: () => console.log("released port"),
 * });
 * manager.addTask("report", async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 50));
 *   console.log("report sent");
 * }, "stop-group");
 *
 * const errors = await manager.run();
 * for (const error of errors) console.error(error.message);
 * ```
 *
 * @example A worker restarted with backoff, and its events
 * ```ts
 * import { TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addEventListener("taskrestart", (e) => {
 *   console.log(`${e.taskName} failed (${e.error}); retry in ${Math.round(e.delay!)} ms`);
 * });
 * let attempts = 0;
 * manager.addTask("consumer", () => {
 *   if (++attempts < 3) throw new Error("broker unreachable");
 *   console.log("connected; done");
 * }, { type: "stop-group", restart: "transient", backoff: { initial: 10 } });
 * console.log(await manager.run()); // []
 * ```
 *
 * @module
 */

export type { ExecuteFn, ExecuteTask, StageResult, Task } from "./src/types.ts";
export { ExecuteTaskType, Stage, TaskType } from "./src/task_type.ts";
export {
  RestartIntensityError,
  ShutdownTimeoutError,
  TaskError,
  UnexpectedStopError,
} from "./src/errors.ts";
export type {
  BackoffOptions,
  ExecuteTaskOptions,
  IntensityOptions,
  RestartPolicy,
  TaskOptions,
} from "./src/restart.ts";
export {
  type ManagerSnapshot,
  type ManagerState,
  ManagerStateEvent,
  TaskErrorEvent,
  TaskEvent,
  type TaskEventType,
  type TaskManagerEventMap,
  type TaskSnapshot,
  type TaskState,
} from "./src/events.ts";
export {
  type AsyncTaskManager,
  TaskManager,
  type TaskManagerOptions,
} from "./src/task_manager.ts";
