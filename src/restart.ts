/**
 * The options of a task: its type and how it is restarted.
 *
 * @module
 */

import type { ExecuteTaskType, TaskType } from "./task_type.ts";

/**
 * When a task whose `execute` ended before the manager stopped is started
 * again: `temporary` never (goasync's behaviour, the default), `transient`
 * after a throw or rejection, `permanent` after a throw or a return.
 *
 * @example
 * ```ts
 * import { type RestartPolicy, TaskManager } from "@goasync/core";
 *
 * const restart: RestartPolicy = "transient";
 * new TaskManager().addTask("consumer", () => {}, { restart });
 * ```
 */
export type RestartPolicy = "temporary" | "transient" | "permanent";

/**
 * How long to wait before a restart. The n-th restart in a row waits a delay
 * drawn from `[d × (1 − jitter), d]`, where d = min(`max`, `initial` ×
 * `factor`^(n−1)); n goes back to 1 after an attempt that ran at least
 * `resetAfter` ms.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from "@goasync/core";
 *
 * const backoff: BackoffOptions = { initial: 50, max: 5_000, factor: 2, jitter: 0.2 };
 * ```
 */
export interface BackoffOptions {
  /** Milliseconds before the first restart; default min(100, `max`). */
  initial?: number;
  /** Milliseconds, the cap; default 30 000. */
  max?: number;
  /** How much each delay grows, at least 1; default 2. */
  factor?: number;
  /** From 0 to 1: how much of a delay may be taken off at random; default 0.2. */
  jitter?: number;
  /** Milliseconds an attempt must run to reset the count; default `max`. */
  resetAfter?: number;
}

/**
 * When a task that keeps failing stops being restarted: more than
 * `maxRestarts` restarts within the last `within` ms fail the task with a
 * `RestartIntensityError` and stop the manager.
 *
 * @example
 * ```ts
 * import type { IntensityOptions } from "@goasync/core";
 *
 * const intensity: IntensityOptions = { maxRestarts: 10, within: 60_000 };
 * ```
 */
export interface IntensityOptions {
  /** Restarts allowed within the window; default 5. */
  maxRestarts?: number;
  /** The window, in milliseconds; default 60 000. */
  within?: number;
}

/**
 * The third argument of `TaskManager.addTask`, when a type alone is not
 * enough.
 *
 * @example A consumer that reconnects with backoff
 * ```ts
 * import { TaskManager, type TaskOptions } from "@goasync/core";
 *
 * const options: TaskOptions = {
 *   restart: "transient",
 *   backoff: { initial: 100, max: 10_000 },
 *   intensity: { maxRestarts: 5, within: 60_000 },
 * };
 * new TaskManager().addTask("consumer", () => {}, options);
 * ```
 */
export interface TaskOptions {
  /** How the task's end affects the manager; default `"strict"`. */
  type?: TaskType;
  /** When the task is restarted; default `"temporary"` (never). */
  restart?: RestartPolicy;
  /** The delays between restarts; only with `transient` or `permanent`. */
  backoff?: BackoffOptions;
  /** When restarts give up; only with `transient` or `permanent`. */
  intensity?: IntensityOptions;
}

/**
 * The third argument of `TaskManager.addExecuteTask`, when a type alone is
 * not enough.
 *
 * @example
 * ```ts
 * import { type ExecuteTaskOptions, TaskManager } from "@goasync/core";
 *
 * const options: ExecuteTaskOptions = { type: "error", restart: "transient" };
 * new TaskManager().addExecuteTask("poller", () => {}, options);
 * ```
 */
export interface ExecuteTaskOptions extends Omit<TaskOptions, "type"> {
  /** How the task's end affects the manager; default `"strict"`. */
  type?: ExecuteTaskType;
}
