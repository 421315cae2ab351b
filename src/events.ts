/**
 * What a `TaskManager` lets you watch: its state and each task's, as a
 * snapshot at any moment, and as events when they change.
 *
 * @module
 */

import type { TaskError } from "./errors.ts";
import type { ExecuteTaskType, TaskType } from "./task_type.ts";

/**
 * Where a manager is in its life: `idle` → `initializing` → `running` →
 * (`draining` →) `stopping` → `stopped`. A stop during initialization skips
 * `running`.
 *
 * @example
 * ```ts
 * import { type ManagerState, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * const state: ManagerState = manager.state;
 * console.log(state); // idle
 * ```
 */
export type ManagerState =
  | "idle"
  | "initializing"
  | "running"
  | "draining"
  | "stopping"
  | "stopped";

/**
 * Where a task is in its life. `restarting` lasts from a failure that is
 * restarted until the next `execute` starts; `failed` is the end of a task
 * that has a `TaskError`.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskState } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("worker", () => {});
 * const state: TaskState = manager.snapshot().tasks[0].state;
 * console.log(state); // pending
 * ```
 */
export type TaskState =
  | "pending"
  | "initializing"
  | "running"
  | "restarting"
  | "stopping"
  | "cleaning"
  | "stopped"
  | "failed";

/**
 * One task as {@linkcode ManagerSnapshot} shows it: plain data.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskSnapshot } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("worker", () => {});
 * const [task]: TaskSnapshot[] = manager.snapshot().tasks;
 * console.log(task.name, task.state, task.restarts); // worker pending 0
 * ```
 */
export interface TaskSnapshot {
  /** The name the task was added under. */
  name: string;
  /** The type it was added with. */
  type: TaskType | ExecuteTaskType;
  /** Its state now. */
  state: TaskState;
  /**
   * `Date.now()` when it entered `state`, read once per turn of the
   * microtask queue (changes in the same turn share one reading).
   */
  since: number;
  /** How many times it has been restarted. */
  restarts: number;
  /**
   * Its last failure, restarted or not; in `JSON.stringify`, an error shows
   * as its name and message.
   */
  lastError?: unknown;
}

/**
 * A manager and its tasks at one moment; `JSON.stringify` prints it.
 *
 * @example
 * ```ts
 * import { type ManagerSnapshot, TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addTask("worker", () => {});
 * const snapshot: ManagerSnapshot = manager.snapshot();
 * console.log(JSON.stringify(snapshot.tasks.map((t) => t.name))); // ["worker"]
 * ```
 */
export interface ManagerSnapshot {
  /** The manager's state. */
  state: ManagerState;
  /** `Date.now()` when it entered `state`. */
  since: number;
  /**
   * Its tasks in the order added; tasks added while running only while they
   * run.
   */
  tasks: TaskSnapshot[];
}

/**
 * Dispatched as `"statechange"` each time a manager's state changes.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addEventListener("statechange", (event) => {
 *   console.log(`${event.from} -> ${event.to}`);
 * });
 * manager.addTask("once", () => {}, "stop-group");
 * await manager.run();
 * ```
 */
export class ManagerStateEvent extends Event {
  /** The state before. */
  readonly from: ManagerState;
  /** The state now. */
  readonly to: ManagerState;

  /**
   * Creates the event for a change from `from` to `to`.
   *
   * @param from The state before.
   * @param to The state now.
   */
  constructor(from: ManagerState, to: ManagerState) {
    super("statechange");
    this.from = from;
    this.to = to;
  }
}

/**
 * The names of the events a {@linkcode TaskEvent} is dispatched as.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskEventType } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * const types: TaskEventType[] = ["taskstart", "taskstop", "taskrestart"];
 * for (const type of types) {
 *   manager.addEventListener(type, (e) => console.log(type, e.taskName));
 * }
 * ```
 */
export type TaskEventType = "taskstart" | "taskstop" | "taskrestart";

/**
 * Dispatched for one attempt of one task: `"taskstart"` when its `execute`
 * is called, `"taskstop"` when that settles, `"taskrestart"` when a restart
 * is scheduled.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addEventListener("taskrestart", (event) => {
 *   console.log(`${event.taskName} restarts in ${event.delay} ms`);
 * });
 * ```
 */
export class TaskEvent extends Event {
  /** The name of the task. */
  readonly taskName: string;
  /** The attempt: 1 for the first `execute`; for `taskrestart`, the one that ended. */
  readonly attempt: number;
  /**
   * `taskstop`: the failure, if the attempt failed; `taskrestart`: the
   * cause. Absent otherwise (`"error" in event` tells, even for a task that
   * threw `undefined`).
   */
  declare readonly error?: unknown;
  /** `taskrestart`: milliseconds until the next attempt. */
  declare readonly delay?: number;

  /**
   * Creates the event.
   *
   * @param type Which event.
   * @param taskName The name of the task.
   * @param attempt The attempt's number, from 1.
   * @param init The failure and, for a restart, the delay.
   */
  constructor(
    type: TaskEventType,
    taskName: string,
    attempt: number,
    init: { error?: unknown; delay?: number } = {},
  ) {
    super(type);
    this.taskName = taskName;
    this.attempt = attempt;
    // Own properties only when given: assigned through a cast because
    // they are declared read-only.
    const self = this as { error?: unknown; delay?: number };
    if ("error" in init) self.error = init.error;
    if (init.delay !== undefined) self.delay = init.delay;
  }
}

/**
 * Dispatched as `"taskerror"` for every `TaskError` as it is recorded, before
 * `run` resolves with it.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 *
 * const manager = new TaskManager();
 * manager.addEventListener("taskerror", (event) => {
 *   console.log(event.error.message);
 * });
 * manager.addTask("broken", () => {
 *   throw new Error("boom");
 * });
 * await manager.run(); // prints: task "broken" failed in execute: boom
 * ```
 */
export class TaskErrorEvent extends Event {
  /** The error, as `run` will resolve with it. */
  readonly error: TaskError;

  /**
   * Creates the event.
   *
   * @param error The error recorded.
   */
  constructor(error: TaskError) {
    super("taskerror");
    this.error = error;
  }
}

/**
 * The events a `TaskManager` dispatches, by name: what makes
 * `manager.addEventListener("taskrestart", (e) => e.delay)` type-check.
 *
 * @example
 * ```ts
 * import type { TaskManagerEventMap } from "@goasync/core";
 *
 * type RestartEvent = TaskManagerEventMap["taskrestart"];
 * const delayOf = (event: RestartEvent) => event.delay;
 * ```
 */
export interface TaskManagerEventMap {
  /** The manager's state changed. */
  statechange: ManagerStateEvent;
  /** An attempt's `execute` was called. */
  taskstart: TaskEvent;
  /** An attempt's `execute` settled. */
  taskstop: TaskEvent;
  /** A restart was scheduled. */
  taskrestart: TaskEvent;
  /** A `TaskError` was recorded. */
  taskerror: TaskErrorEvent;
}
