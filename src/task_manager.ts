/**
 * The {@linkcode TaskManager}: initializes tasks in order, executes them
 * concurrently, and cleans them up in reverse order; restarts the tasks that
 * ask for it, and lets you watch all of it.
 *
 * @module
 */

import type { ExecuteFn, ExecuteTask, Task } from "./types.ts";
import type { ExecuteTaskType, TaskType } from "./task_type.ts";
import type { TaskError } from "./errors.ts";
import type {
  ManagerSnapshot,
  ManagerState,
  TaskManagerEventMap,
} from "./events.ts";
import type { ExecuteTaskOptions, TaskOptions } from "./restart.ts";
import { checkDelay, checkName, checkOptions } from "./_internal/checks.ts";
import { abortError, Engine } from "./_internal/engine.ts";
import { SafeListeners } from "./_internal/safe_listeners.ts";
import { readStages } from "./_internal/stages.ts";
import { checkTaskOptions } from "./_internal/task_options.ts";

/**
 * Options for a {@linkcode TaskManager}.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskManagerOptions } from "@goasync/core";
 *
 * const options: TaskManagerOptions = { shutdownTimeout: 25_000, drainDelay: 5_000 };
 * const manager = new TaskManager(options);
 * ```
 */
export interface TaskManagerOptions {
  /**
   * How long, in milliseconds, to wait after the task signals abort for every
   * `execute` to settle, and then for each `cleanup`. A task still running
   * at its deadline is reported with a `ShutdownTimeoutError` and abandoned.
   * Default: wait for ever.
   */
  shutdownTimeout?: number;
  /**
   * How long, in milliseconds, a stop asked from outside (the run signal, or
   * `stop()`) keeps the manager `draining` before the task signals abort:
   * the window in which a readiness probe fails and a load balancer moves
   * traffic away while the server still answers. Default 0.
   */
  drainDelay?: number;
}

/**
 * What a task manager offers; {@linkcode TaskManager} implements it, and so do
 * the fakes in `@goasync/core/testing`. Code that adds tasks should depend on
 * this interface rather than on the class.
 *
 * @example
 * ```ts
 * import { type AsyncTaskManager, TaskManager } from "@goasync/core";
 *
 * function addWorkers(manager: AsyncTaskManager, count: number) {
 *   for (let i = 0; i < count; i++) {
 *     manager.addExecuteTask(`worker-${i}`, (signal) =>
 *       new Promise((resolve) =>
 *         signal.addEventListener("abort", resolve, { once: true })
 *       ));
 *   }
 * }
 * addWorkers(new TaskManager(), 4);
 * ```
 */
export interface AsyncTaskManager {
  /** Adds a task with a full lifecycle. Allowed only before `run`. */
  addTask(
    name: string,
    task: Task | ExecuteFn,
    options?: TaskType | TaskOptions,
  ): void;
  /** Adds an execute-only task, before `run` or while the manager executes. */
  addExecuteTask(
    name: string,
    task: ExecuteTask | ExecuteFn,
    options?: ExecuteTaskType | ExecuteTaskOptions,
  ): void;
  /** Runs every task; resolves with every failure once all have stopped. */
  run(signal?: AbortSignal): Promise<TaskError[]>;
}

/**
 * Runs a group of tasks as one program, with goasync's semantics:
 *
 * 1. Tasks are initialized one at a time, in the order they were added. If one
 *    fails, no later task is initialized: the failed task and every task before
 *    it are cleaned up, in reverse order, and `run` resolves with the errors.
 * 2. Then every `execute` runs concurrently. Each task gets its own
 *    `AbortSignal`, aborted when the manager stops.
 * 3. The manager stops when the caller's signal aborts (or `stop()` is
 *    called), a `strict` task returns or throws, an `error` task throws, or
 *    a `stop-group` task throws or the last one running returns.
 * 4. After the stop it waits for every `execute` to settle (or for
 *    `shutdownTimeout`), then calls every `cleanup` in reverse order.
 *
 * A task added with a restart policy (`transient`, `permanent`) is cleaned
 * up, and initialized and executed again after a backoff delay, instead of
 * stopping the manager, until it fails too often. The manager is an
 * `EventTarget`: its {@linkcode TaskManagerEventMap} events, its `state` and
 * its `snapshot()` show what every task is doing.
 *
 * `run` resolves with every {@linkcode TaskError} in the order they happened,
 * and never rejects for a task's failure. A task that rejects with its
 * signal's reason, or with an `AbortError`, after the stop is taken to have
 * stopped as asked, not to have failed.
 *
 * @example
 * ```ts
 * import { TaskManager, TaskType } from "@goasync/core";
 *
 * const manager = new TaskManager({ shutdownTimeout: 5_000 });
 * manager.addTask("server", {
 *   initialize: () => console.log("listening"),
 *   execute: (signal) =>
 *     new Promise((resolve) =>
 *       signal.addEventListener("abort", resolve, { once: true })
 *     ),
 *   cleanup: () => console.log("closed"),
 * });
 * manager.addTask("job", async () => {
 *   await Promise.resolve(); // one piece of work, then the program is done
 * }, TaskType.StopGroup);
 *
 * const errors = await manager.run();
 * console.log(errors); // []
 * ```
 */
export class TaskManager extends EventTarget implements AsyncTaskManager {
  readonly #listeners = new SafeListeners(this);
  readonly #engine: Engine;

  /**
   * Creates a manager with no tasks.
   *
   * @param options Optional settings; see {@linkcode TaskManagerOptions}.
   * @throws {TypeError} For options that are not an object, or a setting
   * that is not a number.
   * @throws {RangeError} For a negative, NaN or too long duration.
   */
  constructor(options?: TaskManagerOptions) {
    super();
    const given = checkOptions<TaskManagerOptions>(
      options,
      "TaskManager options",
    );
    const shutdownTimeout = given.shutdownTimeout === undefined
      ? undefined
      : checkDelay(given.shutdownTimeout, "shutdownTimeout");
    const drainDelay = given.drainDelay === undefined
      ? 0
      : checkDelay(given.drainDelay, "drainDelay");
    this.#engine = new Engine(shutdownTimeout, drainDelay, this.#listeners);
  }

  /**
   * Where the manager is in its life; see {@linkcode ManagerState}.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("once", () => {}, "stop-group");
   * const done = manager.run();
   * console.log(manager.state); // initializing
   * await done;
   * console.log(manager.state); // stopped
   * ```
   */
  get state(): ManagerState {
    return this.#engine.state;
  }

  /**
   * Adds a task with a full lifecycle. Tasks can be added only before `run`.
   *
   * @param name A name for error reports; need not be unique.
   * @param task The task, or a bare function used as its `execute` stage.
   * @param options The task's type (default `"strict"`), or
   * {@linkcode TaskOptions} with its type and restart policy.
   * @throws {TypeError} For a missing name, a task without an `execute`
   * function, an unknown type or bad options; the manager is left unchanged.
   * @throws {Error} Once `run` has been called.
   *
   * @example
   * ```ts
   * import { TaskManager, TaskType } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("cache", {
   *   initialize: () => console.log("warming up"),
   *   execute: () => {},
   * }, TaskType.Error);
   * manager.addTask("consumer", () => {}, {
   *   type: "error",
   *   restart: "transient",
   *   backoff: { initial: 100, max: 10_000 },
   * });
   * ```
   */
  addTask(
    name: string,
    task: Task | ExecuteFn,
    options?: TaskType | TaskOptions,
  ): void {
    checkName(name, "addTask");
    const stages = readStages("addTask", name, task);
    const read = checkTaskOptions("addTask", name, options, false);
    this.#engine.addTask(name, stages, read);
  }

  /**
   * Adds a task that has only an `execute` stage. Before `run` (or while
   * tasks are being initialized) it waits to start with the others; while the
   * manager is running or draining it starts at once. Only `execute` is
   * called, even on an object that has other stages.
   *
   * @param name A name for error reports; need not be unique.
   * @param task The task, or a bare function used as its `execute` stage.
   * @param options The task's type (default `"strict"`), or
   * {@linkcode ExecuteTaskOptions} with its type and restart policy.
   * @throws {TypeError} For a missing name, a task without an `execute`
   * function, an unknown type or bad options; the manager is left unchanged.
   * @throws {Error} Once the manager is stopping or stopped.
   *
   * @example
   * ```ts
   * import { ExecuteTaskType, TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * const controller = new AbortController();
   * const done = manager.run(controller.signal);
   * manager.addExecuteTask("request", async () => {
   *   await Promise.resolve(); // handle one request
   * }, ExecuteTaskType.Error);
   * controller.abort();
   * await done;
   * ```
   */
  addExecuteTask(
    name: string,
    task: ExecuteTask | ExecuteFn,
    options?: ExecuteTaskType | ExecuteTaskOptions,
  ): void {
    checkName(name, "addExecuteTask");
    const stages = readStages("addExecuteTask", name, task, false);
    const read = checkTaskOptions("addExecuteTask", name, options, true);
    this.#engine.addExecuteTask(name, stages, read);
  }

  /**
   * Initializes, executes and cleans up every task, and resolves with every
   * {@linkcode TaskError} once all have stopped (an empty array when all went
   * well). With no tasks, it waits for `signal` (or `stop()`).
   *
   * @param signal Stops the manager when it aborts, after `drainDelay`.
   * @returns The task failures, in the order they happened.
   * @throws {TypeError} (as a rejection) When `signal` is not a working
   * `AbortSignal`; the manager is left unchanged and can still run.
   * @throws {Error} (as a rejection) When called a second time.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("idle", (signal) =>
   *   new Promise((resolve) =>
   *     signal.addEventListener("abort", resolve, { once: true })
   *   ));
   * manager.addTask("batch", async () => {
   *   await Promise.resolve(); // the program's work; its end stops the manager
   * }, "stop-group");
   * const errors = await manager.run();
   * console.log(errors); // []
   * ```
   */
  run(signal?: AbortSignal): Promise<TaskError[]> {
    return this.#engine.run(signal);
  }

  /**
   * Stops the manager, as if the run signal aborted with `reason`: a running
   * manager drains for `drainDelay` first. Before `run`, `run` then behaves
   * as with an already-aborted signal; after the stop, it does nothing.
   *
   * @param reason What the task signals abort with; left out or undefined:
   * one `AbortError`, the same for every task.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("server", (signal) =>
   *   new Promise((resolve) =>
   *     signal.addEventListener("abort", resolve, { once: true })
   *   ));
   * const done = manager.run();
   * manager.stop();
   * console.log(await done); // []
   * ```
   */
  stop(reason?: unknown): void {
    this.#engine.stop(
      // As `AbortController.abort`: undefined means "no reason given", and
      // every task signal then aborts with this one AbortError.
      reason === undefined ? abortError("stop() was called") : reason,
    );
  }

  /**
   * Stops the manager without draining and resolves once `run` has ended;
   * on a manager that never ran, does nothing. A second call returns the
   * same promise. This is what `await using` calls.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * {
   *   await using manager = new TaskManager();
   *   manager.addTask("server", (signal) =>
   *     new Promise((resolve) =>
   *       signal.addEventListener("abort", resolve, { once: true })
   *     ));
   *   void manager.run();
   * } // the manager is stopped and its tasks cleaned up here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#engine.dispose();
  }

  /**
   * The manager and its tasks now, as plain data: tasks in the order added,
   * and tasks added while running only while they run. A failure shows as
   * `{ name, message }` for an error and as text for another object, so
   * that `JSON.stringify` prints the whole snapshot.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("db", () => {});
   * console.log(JSON.stringify(manager.snapshot().tasks[0].state)); // "pending"
   * ```
   */
  snapshot(): ManagerSnapshot {
    return this.#engine.snapshot();
  }

  /**
   * Listens for one of the manager's events; see
   * {@linkcode TaskManagerEventMap}. A listener that throws (or rejects) is
   * reported with `console.error` and changes nothing the manager does.
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
  override addEventListener<K extends keyof TaskManagerEventMap>(
    type: K,
    listener:
      | ((this: TaskManager, event: TaskManagerEventMap[K]) => unknown)
      | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Listens for any event by name.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addEventListener("statechange", { handleEvent: (e) => console.log(e.type) });
   * ```
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    this.#listeners.add(type, listener, options);
  }

  /**
   * Stops calling a listener added with `addEventListener`.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * const log = () => console.log("changed");
   * manager.addEventListener("statechange", log);
   * manager.removeEventListener("statechange", log);
   * ```
   */
  override removeEventListener<K extends keyof TaskManagerEventMap>(
    type: K,
    listener:
      | ((this: TaskManager, event: TaskManagerEventMap[K]) => unknown)
      | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Stops calling a listener added for any event by name.
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * const log = { handleEvent: () => console.log("changed") };
   * manager.addEventListener("statechange", log);
   * manager.removeEventListener("statechange", log);
   * ```
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    this.#listeners.remove(type, listener, options);
  }

  /**
   * One idle manager with one task, kept for the life of the program. V8
   * keeps the shape of a class's objects only while one of them lives: with
   * none, a full collection between two short-lived managers drops the
   * shapes, and all code optimized for them with it (docs/runtime-notes.md).
   */
  static readonly #shapes: TaskManager = new TaskManager();
  static {
    TaskManager.#shapes.addTask("shape", () => {});
  }
}
