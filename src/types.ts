/**
 * The shapes of work a `TaskManager` runs.
 *
 * @module
 */

/**
 * What a stage may return: anything at all. A returned promise (or other
 * thenable) is awaited and its value ignored, so `() => connect()` and
 * `(signal) => fetch(url, { signal })` are stages as they are. It accepts
 * exactly what `unknown` accepts; spelled as this union so that
 * `new Promise((resolve) => ... resolve())` returned from a stage infers
 * `Promise<void>` instead of asking for a value.
 *
 * @example
 * ```ts
 * import type { ExecuteFn } from "@goasync/core";
 *
 * const fetchOnce: ExecuteFn = (signal) => fetch("data:,ok", { signal });
 * const waitForStop: ExecuteFn = (signal) =>
 *   new Promise((resolve) =>
 *     signal.addEventListener("abort", () => resolve(), { once: true })
 *   );
 * console.log(typeof fetchOnce, typeof waitForStop); // function function
 * ```
 */
export type StageResult =
  | void
  | null
  | NonNullable<unknown>
  | PromiseLike<void | null | NonNullable<unknown>>;

/**
 * A unit of work with a full lifecycle: it is initialized before anything
 * executes, executes concurrently with the other tasks, and is cleaned up after
 * every task has stopped.
 *
 * A stage may return anything: a returned promise (or other thenable) is
 * awaited and its value ignored, so `initialize: () => connect()` and
 * `(signal) => fetch(url, { signal })` are tasks as they are.
 *
 * Each stage receives an `AbortSignal`. The signal given to `initialize` and
 * `execute` aborts when the `TaskManager` stops; the one given to
 * `cleanup` aborts only when the manager's `shutdownTimeout` expires for it.
 *
 * @example A task that owns a resource
 * ```ts
 * import type { Task } from "@goasync/core";
 *
 * const ticker: Task = {
 *   initialize() {
 *     console.log("opening");
 *   },
 *   async execute(signal) {
 *     await new Promise((resolve) =>
 *       signal.addEventListener("abort", resolve, { once: true })
 *     );
 *   },
 *   cleanup() {
 *     console.log("closed");
 *   },
 * };
 * ```
 */
export interface Task {
  /** Prepares the task. Called once, serially, in the order tasks were added. */
  initialize?(signal: AbortSignal): StageResult;
  /** Does the task's work until `signal` aborts (or the work is done). */
  execute(signal: AbortSignal): StageResult;
  /** Releases what `initialize` took. Called once, serially, in reverse order. */
  cleanup?(signal: AbortSignal): StageResult;
}

/**
 * A task with only an `execute` stage, as accepted by
 * `TaskManager.addExecuteTask`.
 *
 * @example
 * ```ts
 * import type { ExecuteTask } from "@goasync/core";
 *
 * const worker: ExecuteTask = {
 *   execute(signal) {
 *     return new Promise((resolve) =>
 *       signal.addEventListener("abort", resolve, { once: true })
 *     );
 *   },
 * };
 * ```
 */
export interface ExecuteTask {
  /** Does the task's work until `signal` aborts (or the work is done). */
  execute(signal: AbortSignal): StageResult;
}

/**
 * A bare function standing for a task's `execute` stage.
 *
 * @example
 * ```ts
 * import type { ExecuteFn } from "@goasync/core";
 *
 * const handleJob: ExecuteFn = async (signal) => {
 *   signal.throwIfAborted();
 *   await Promise.resolve();
 * };
 * ```
 */
export type ExecuteFn = (signal: AbortSignal) => StageResult;
