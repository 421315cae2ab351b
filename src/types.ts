/**
 * The shapes of work a `TaskManager` runs.
 *
 * @module
 */

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
  initialize?(signal: AbortSignal): unknown;
  /** Does the task's work until `signal` aborts (or the work is done). */
  execute(signal: AbortSignal): unknown;
  /** Releases what `initialize` took. Called once, serially, in reverse order. */
  cleanup?(signal: AbortSignal): unknown;
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
  execute(signal: AbortSignal): unknown;
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
export type ExecuteFn = (signal: AbortSignal) => unknown;
