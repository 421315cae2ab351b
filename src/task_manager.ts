/**
 * The {@linkcode TaskManager}: initializes tasks in order, executes them
 * concurrently, and cleans them up in reverse order; restarts the tasks that
 * ask for it, and lets you watch all of it.
 *
 * @module
 */

import type { ExecuteFn, ExecuteTask, Task } from "./types.ts";
import { type ExecuteTaskType, Stage, type TaskType } from "./task_type.ts";
import {
  RestartIntensityError,
  ShutdownTimeoutError,
  TaskError,
  UnexpectedStopError,
} from "./errors.ts";
import {
  type ManagerSnapshot,
  type ManagerState,
  ManagerStateEvent,
  TaskErrorEvent,
  TaskEvent,
  type TaskEventType,
  type TaskManagerEventMap,
  type TaskState,
} from "./events.ts";
import type { ExecuteTaskOptions, TaskOptions } from "./restart.ts";
import { isAbortEcho } from "./_internal/abort_echo.ts";
import { checkDelay, checkOptions, taskCaller } from "./_internal/checks.ts";
import { SafeListeners } from "./_internal/safe_listeners.ts";
import { whenSettled } from "./_internal/settle.ts";
import { readStages, type StageFn } from "./_internal/stages.ts";
import { checkTaskOptions } from "./_internal/task_options.ts";
import {
  newRecord,
  NO_ERROR,
  type Outcome,
  SETTLED,
  snapshotOf,
  type TaskRecord,
  TIMED_OUT,
} from "./_internal/task_record.ts";
import { startTimer, stopTimer, type Timer } from "./_internal/timers.ts";
import { EventLoopYield } from "./_internal/event_loop_yield.ts";

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

/** Marks "no stop asked yet": a stop's reason may be `undefined`. */
const NO_STOP: unique symbol = Symbol("no stop");

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
  readonly #shutdownTimeout: number | undefined;
  readonly #drainDelay: number;
  #state: ManagerState = "idle";
  #since = Date.now();
  /** Tasks added before execution started, in the order added. */
  readonly #tasks: TaskRecord[] = [];
  /** Tasks added while executing, while they are in flight. */
  readonly #dynamic = new Set<TaskRecord>();
  /** How many tasks have a stage in flight (kept by `#setInFlight` alone). */
  #inFlight = 0;
  #stopGroupLeft = 0;
  #stopReason: unknown = NO_STOP;
  #drainTimer: Timer | undefined = undefined;
  #deadline: Timer | undefined = undefined;
  #onDrained: (() => void) | undefined = undefined;
  #finished: Promise<unknown> | undefined = undefined;
  #disposal: Promise<void> | undefined = undefined;
  readonly #errors: TaskError[] = [];
  readonly #listeners = new SafeListeners(this);

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
    this.#shutdownTimeout = given.shutdownTimeout === undefined
      ? undefined
      : checkDelay(given.shutdownTimeout, "shutdownTimeout");
    this.#drainDelay = given.drainDelay === undefined
      ? 0
      : checkDelay(given.drainDelay, "drainDelay");
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
    return this.#state;
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
    const caller = taskCaller("addTask", name);
    const stages = readStages(caller, task);
    const { type, restart } = checkTaskOptions(caller, options, false);
    if (this.#state !== "idle") {
      throw new Error(
        `${caller}: tasks with a lifecycle can be added only before run; use addExecuteTask while running`,
      );
    }
    this.#tasks.push(newRecord(name, type, stages, restart, false));
    if (type === "stop-group") this.#stopGroupLeft++;
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
    const caller = taskCaller("addExecuteTask", name);
    const stages = readStages(caller, task, false);
    const { type, restart } = checkTaskOptions(caller, options, true);
    if (this.#aborted) {
      throw new Error(`${caller}: the manager is stopping or stopped`);
    }
    const started = this.#state === "running" || this.#state === "draining";
    const record = newRecord(name, type, stages, restart, started);
    if (!started) return void this.#tasks.push(record);
    this.#start(record);
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
    if (this.#state !== "idle") {
      return Promise.reject(
        new Error("TaskManager.run was already called; a manager runs once"),
      );
    }
    let unlisten: () => void;
    try {
      unlisten = this.#listenForStop(signal);
    } catch (error) {
      return Promise.reject(error);
    }
    let ended!: () => void;
    this.#finished = new Promise<void>((resolve) => ended = resolve);
    const finished = this.#run(unlisten);
    finished.then(ended, ended);
    return finished;
  }

  async #run(unlisten: () => void): Promise<TaskError[]> {
    try {
      this.#setState("initializing");
      if (this.#stopReason !== NO_STOP) this.#abort();
      await this.#initializeAll();
      this.#startAll();
      await this.#allSettled();
      await this.#cleanUpAll();
      return this.#errors;
    } finally {
      unlisten();
      this.#setState("stopped");
    }
  }

  /**
   * Stops the manager, as if the run signal aborted with `reason`: a running
   * manager drains for `drainDelay` first. Before `run`, `run` then behaves
   * as with an already-aborted signal; after the stop, it does nothing.
   *
   * @param reason What the task signals abort with; default an `AbortError`.
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
    this.#requestStop(
      arguments.length > 0 ? reason : abortError("stop() was called"),
      true,
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
    if (this.#disposal) return this.#disposal;
    if (this.#finished === undefined) return Promise.resolve();
    this.#requestStop(abortError("the manager was disposed"), false);
    return this.#disposal = this.#finished.then(() => {});
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
    const tasks = this.#tasks.map(snapshotOf);
    for (const record of this.#dynamic) tasks.push(snapshotOf(record));
    return { state: this.#state, since: this.#since, tasks };
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

  // --- run's four steps ---------------------------------------------------

  /** Initializes tasks in order, until one fails or the manager stops. */
  async #initializeAll(): Promise<void> {
    // A for-of loop also visits execute tasks added while one awaits.
    for (const record of this.#tasks) {
      if (this.#aborted) break;
      record.controller = new AbortController();
      record.cleanupOwed = true;
      if (record.initialize === undefined) continue;
      // Synchronous stages are not awaited: a run of them costs no promise.
      let ok = this.#initialize(record);
      if (ok instanceof Promise) ok = await ok;
      if (!ok) break;
    }
  }

  #startAll(): void {
    if (this.#aborted) return;
    this.#setState("running");
    for (const record of this.#tasks) {
      if (this.#aborted) break;
      this.#start(record);
    }
  }

  /** Resolves once the manager has stopped and no stage is in flight. */
  #allSettled(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#onDrained = resolve;
      this.#checkSettled();
    }).then(() => stopTimer(this.#deadline));
  }

  /** Cleans up, in reverse order, every task whose initialize had its turn. */
  async #cleanUpAll(): Promise<void> {
    for (let i = this.#tasks.length - 1; i >= 0; i--) {
      const record = this.#tasks[i];
      if (record.cleanupOwed && record.cleanup !== undefined) {
        await this.#cleanUp(record);
      }
      record.cleanupOwed = false;
      this.#setTaskState(record, record.failed ? "failed" : "stopped");
    }
  }

  // --- one task's stages ----------------------------------------------------

  /** Runs `record`'s initialize; whether the task may go on to execute. */
  #initialize(record: TaskRecord): boolean | Promise<boolean> {
    this.#setTaskState(record, "initializing");
    this.#setInFlight(record, Stage.Initialize);
    const signal = record.controller!.signal;
    const outcome = this.#callStage(record, record.initialize!, signal);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#initialized(record, settled))
      : this.#initialized(record, outcome);
  }

  #initialized(record: TaskRecord, outcome: Outcome): boolean {
    if (outcome === TIMED_OUT) return false; // reported by the deadline
    this.#setInFlight(record, undefined);
    if (outcome === SETTLED) {
      this.#setTaskState(record, "pending");
      return !this.#aborted;
    }
    if (!isAbortEcho(outcome.error, record.controller!.signal)) {
      this.#fail(record, Stage.Initialize, outcome.error);
    } else this.#setTaskState(record, "stopped");
    return false;
  }

  /** The first attempt. */
  #start(record: TaskRecord): void {
    record.controller ??= new AbortController();
    record.attempt = 1;
    this.#execute(record);
  }

  #execute(record: TaskRecord): void {
    // In flight from the call on: a stop the call itself causes must abort
    // this task's signal too, and wait for it before cleaning up.
    this.#setInFlight(record, Stage.Execute);
    this.#setTaskState(record, "running");
    if (record.budget) record.budget.startedAt = Date.now();
    let result: unknown;
    let threw = false;
    try {
      result = record.execute.call(record.self, record.controller!.signal);
    } catch (error) {
      threw = true;
      result = error;
    }
    this.#emit("taskstart", record);
    if (threw) return this.#executeSettled(record, true, result);
    if (result === undefined) return this.#executeSettled(record, false);
    whenSettled(
      result,
      () => this.#executeSettled(record, false),
      (error) => this.#executeSettled(record, true, error),
    );
  }

  #executeSettled(record: TaskRecord, threw: boolean, error?: unknown): void {
    if (record.inFlight !== Stage.Execute) return; // abandoned at the deadline
    const signal = record.controller!.signal;
    let failure: unknown = NO_ERROR;
    if (threw) {
      if (!isAbortEcho(error, signal)) failure = error;
    } else if (
      !signal.aborted &&
      (record.type === "strict" || record.budget?.config.permanent)
    ) {
      failure = new UnexpectedStopError(record.name);
    }
    this.#emit("taskstop", record, failure);
    const restart = !signal.aborted && failure !== NO_ERROR &&
      record.budget !== undefined && (threw || record.budget.config.permanent);
    if (restart) return this.#restart(record, failure);
    if (failure !== NO_ERROR) {
      return this.#taskEnded(record, Stage.Execute, failure);
    }
    if (record.type === "stop-group" && !signal.aborted) {
      if (--this.#stopGroupLeft === 0) {
        this.#requestStop(abortError("every stop-group task returned"), false);
      }
    }
    this.#taskEnded(record);
  }

  /** The task is done until the final cleanup, failed in `stage` or not. */
  #taskEnded(record: TaskRecord, stage?: Stage, failure?: unknown): void {
    this.#setInFlight(record, undefined);
    if (stage === undefined) this.#setTaskState(record, "stopped");
    else this.#fail(record, stage, failure);
    this.#checkSettled();
  }

  // --- restarts -------------------------------------------------------------

  /** After a failure: restart `record` after its backoff, or give up. */
  #restart(record: TaskRecord, cause: unknown): void {
    const budget = record.budget!;
    record.lastError = cause;
    const delay = budget.next(Date.now());
    if (delay === undefined) {
      const { within } = budget.config;
      const error = new RestartIntensityError(
        record.name,
        budget.recent,
        within,
        cause,
      );
      return this.#taskEnded(record, Stage.Execute, error);
    }
    record.restarts++;
    this.#setTaskState(record, "restarting");
    this.#emit("taskrestart", record, cause, delay);
    void this.#restartCycle(record, delay);
  }

  /** cleanup, the backoff wait, initialize, execute: one restart. */
  async #restartCycle(record: TaskRecord, delay: number): Promise<void> {
    record.attempt++;
    if (record.cleanupOwed && record.cleanup !== undefined) {
      record.cleanupOwed = false;
      const signal = new AbortController().signal; // as at the final cleanup
      const failed = await this.#restartStage(record, Stage.Cleanup, signal);
      if (failed) return;
    }
    if (!await this.#backoff(record, delay)) return this.#taskEnded(record);
    record.cleanupOwed = true;
    if (record.initialize !== undefined) {
      const signal = record.controller!.signal;
      const failed = await this.#restartStage(record, Stage.Initialize, signal);
      if (failed) return;
    }
    if (this.#aborted) return this.#taskEnded(record);
    this.#execute(record);
  }

  /** Runs a restart's cleanup or initialize; true when the restart is over. */
  async #restartStage(
    record: TaskRecord,
    stage: typeof Stage.Cleanup | typeof Stage.Initialize,
    signal: AbortSignal,
  ): Promise<boolean> {
    this.#setInFlight(record, stage);
    const fn = stage === Stage.Cleanup ? record.cleanup! : record.initialize!;
    const outcome = await this.#callStage(record, fn, signal);
    if (outcome === TIMED_OUT) return true; // abandoned at the deadline
    this.#setInFlight(record, Stage.Execute); // the restart goes on
    if (outcome === SETTLED) return false;
    this.#restartFailed(record, stage, outcome.error);
    return true;
  }

  /** A restart's cleanup or initialize failed: like a failed execute. */
  #restartFailed(record: TaskRecord, stage: Stage, error: unknown): void {
    const signal = record.controller!.signal;
    if (signal.aborted) {
      // After the stop there is no restart: a failure is reported as such.
      if (isAbortEcho(error, signal)) return this.#taskEnded(record);
      return this.#taskEnded(record, stage, error);
    }
    this.#restart(record, error);
  }

  /** Waits the backoff delay; false when the manager stopped meanwhile. */
  #backoff(record: TaskRecord, delay: number): boolean | Promise<boolean> {
    if (this.#aborted) return false;
    const budget = record.budget!;
    if (delay === 0) {
      const turn = (budget.yielder ??= new EventLoopYield()).between();
      return turn === undefined ? true : turn.then(() => !this.#aborted);
    }
    return new Promise<boolean>((resolve) => {
      record.wake = (outcome) => resolve(outcome === SETTLED);
      const timer = startTimer(() => record.wake?.(SETTLED), delay);
      // Reading a timer global may run promise callbacks (Deno): re-check.
      if (this.#aborted) {
        stopTimer(timer);
        resolve(false);
      } else budget.timer = timer;
    }).then((waited) => {
      record.wake = undefined;
      budget.timer = undefined;
      return waited && !this.#aborted;
    });
  }

  // --- stopping -------------------------------------------------------------

  /** Whether the task signals have been aborted. */
  get #aborted(): boolean {
    return this.#state === "stopping" || this.#state === "stopped";
  }

  /** A stop asked from `outside` drains a running manager first. */
  #requestStop(reason: unknown, outside: boolean): void {
    const first = this.#stopReason === NO_STOP;
    if (first) this.#stopReason = reason;
    switch (this.#state) {
      case "idle": // run stops at once
      case "stopping":
      case "stopped":
        return;
      case "draining":
        if (!outside) this.#abort(); // a task's failure ends the drain
        return;
    }
    if (outside && this.#state === "running" && this.#drainDelay > 0) {
      this.#setState("draining");
      const timer = startTimer(() => this.#abort(), this.#drainDelay);
      // Reading a timer global may run promise callbacks (Deno): re-check.
      if (this.#state as ManagerState === "draining") this.#drainTimer = timer;
      else stopTimer(timer);
      return;
    }
    this.#abort();
  }

  /** Aborts every task signal; the shutdown deadline starts now. */
  #abort(): void {
    if (this.#aborted) return;
    stopTimer(this.#drainTimer);
    this.#setState("stopping");
    // Armed before the aborts: on Deno, the first read of a timer global can
    // run promise callbacks, which must not see tasks settled by this stop.
    if (this.#shutdownTimeout !== undefined) {
      this.#deadline = startTimer(
        () => this.#onDeadline(),
        this.#shutdownTimeout,
      );
    }
    const reason = this.#stopReason;
    for (const record of this.#tasks) this.#abortTask(record, reason);
    for (const record of this.#dynamic) this.#abortTask(record, reason);
    this.#checkSettled();
  }

  #abortTask(record: TaskRecord, reason: unknown): void {
    if (record.inFlight === Stage.Execute && record.state === "running") {
      this.#setTaskState(record, "stopping");
    }
    const timer = record.budget?.timer;
    if (timer !== undefined) {
      stopTimer(timer);
      record.wake?.(TIMED_OUT); // ends the backoff wait: no further attempt
    }
    record.controller?.abort(reason);
  }

  #onDeadline(): void {
    for (const record of this.#tasks) {
      if (record.inFlight !== undefined) this.#abandon(record);
    }
    for (const record of this.#dynamic) this.#abandon(record);
    this.#checkSettled();
  }

  /** Gives up on `record`'s stage in flight at the shutdown deadline. */
  #abandon(record: TaskRecord): void {
    const stage = record.inFlight!;
    const wake = record.wake;
    record.wake = undefined;
    this.#setInFlight(record, undefined);
    const error = this.#timedOut(record, stage);
    if (stage === Stage.Execute) this.#emit("taskstop", record, error);
    this.#record(record, stage, error);
    wake?.(TIMED_OUT);
  }

  #checkSettled(): void {
    if (this.#onDrained && this.#aborted && this.#inFlight === 0) {
      const resolve = this.#onDrained;
      this.#onDrained = undefined;
      resolve();
    }
  }

  /** Runs `record`'s final cleanup, bounded by `shutdownTimeout`. */
  async #cleanUp(record: TaskRecord): Promise<void> {
    this.#setTaskState(record, "cleaning");
    const controller = new AbortController();
    const pending = this.#callStage(record, record.cleanup!, controller.signal);
    let outcome: Outcome;
    if (pending instanceof Promise) {
      const timeout = this.#shutdownTimeout;
      const timer = timeout === undefined
        ? undefined
        : startTimer(() => record.wake?.(TIMED_OUT), timeout);
      outcome = await pending;
      stopTimer(timer);
    } else outcome = pending;
    if (outcome === TIMED_OUT) {
      const error = this.#timedOut(record, Stage.Cleanup);
      controller.abort(error);
      this.#record(record, Stage.Cleanup, error);
    } else if (outcome !== SETTLED) {
      this.#record(record, Stage.Cleanup, outcome.error);
    }
  }

  /**
   * Calls one stage that is awaited (initialize, cleanup). A synchronous
   * outcome is returned as it is, so a run of synchronous stages costs no
   * promise each; `record.wake` can end the wait early.
   */
  #callStage(
    record: TaskRecord,
    fn: StageFn,
    signal: AbortSignal,
  ): Outcome | Promise<Outcome> {
    let result: unknown;
    try {
      result = fn.call(record.self, signal);
      if (result === undefined) return SETTLED;
    } catch (error) {
      return { error };
    }
    return new Promise<Outcome>((resolve) => {
      record.wake = resolve;
      whenSettled(
        result,
        () => resolve(SETTLED),
        (error) => resolve({ error }),
      );
    }).then((outcome) => {
      record.wake = undefined;
      return outcome;
    });
  }

  // --- bookkeeping and events -----------------------------------------------

  #timedOut(record: TaskRecord, stage: Stage): ShutdownTimeoutError {
    return new ShutdownTimeoutError(record.name, stage, this.#shutdownTimeout!);
  }

  /** Records a failure; every failure during the run stops the manager. */
  #fail(record: TaskRecord, stage: Stage, cause: unknown): void {
    this.#record(record, stage, cause);
    this.#requestStop(
      abortError(`task "${record.name}" failed in ${stage}`),
      false,
    );
  }

  #record(record: TaskRecord, stage: Stage, cause: unknown): void {
    const error = new TaskError(record.name, stage, cause, record.type);
    record.failed = true;
    record.lastError = cause;
    this.#setTaskState(record, "failed");
    this.#errors.push(error);
    if (this.#listeners.listens("taskerror")) {
      this.dispatchEvent(new TaskErrorEvent(error));
    }
  }

  /** The one place that changes what is in flight. */
  #setInFlight(record: TaskRecord, stage: Stage | undefined): void {
    const before = record.inFlight !== undefined;
    record.inFlight = stage;
    const after = stage !== undefined;
    if (before === after) return;
    this.#inFlight += after ? 1 : -1;
    if (record.dynamic) {
      if (after) this.#dynamic.add(record);
      else this.#dynamic.delete(record);
    }
  }

  #setState(to: ManagerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#since = Date.now();
    if (this.#listeners.listens("statechange")) {
      this.dispatchEvent(new ManagerStateEvent(from, to));
    }
  }

  #setTaskState(record: TaskRecord, state: TaskState): void {
    if (record.state === state) return;
    record.state = state;
    record.since = Date.now();
  }

  #emit(
    type: TaskEventType,
    record: TaskRecord,
    error: unknown = NO_ERROR,
    delay?: number,
  ): void {
    if (!this.#listeners.listens(type)) return;
    const init: { error?: unknown; delay?: number } = {};
    if (error !== NO_ERROR) init.error = error;
    if (delay !== undefined) init.delay = delay;
    this.dispatchEvent(new TaskEvent(type, record.name, record.attempt, init));
  }

  /** Subscribes to `signal`'s abort; throws, changing nothing, for a bad one. */
  #listenForStop(signal: AbortSignal | undefined): () => void {
    if (signal === undefined) return () => {};
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError("run(signal): signal must be an AbortSignal");
    }
    const onAbort = () => this.#requestStop(signal.reason, true);
    try {
      if (signal.aborted) {
        this.#requestStop(signal.reason, true);
        return () => {};
      }
      signal.addEventListener("abort", onAbort, { once: true });
    } catch (cause) {
      throw new TypeError(
        "run(signal): signal does not work as an AbortSignal (reading it or listening to it threw)",
        { cause },
      );
    }
    return () => {
      try {
        signal.removeEventListener("abort", onAbort);
      } catch { /* it worked when added; nothing to undo if it throws now */ }
    };
  }
}

function abortError(message: string): DOMException {
  return new DOMException(
    `the task manager is stopping: ${message}`,
    "AbortError",
  );
}
