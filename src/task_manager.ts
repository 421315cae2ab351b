/**
 * The {@linkcode TaskManager}: initializes tasks in order, executes them
 * concurrently, and cleans them up in reverse order.
 *
 * @module
 */

import type { ExecuteFn, ExecuteTask, Task } from "./types.ts";
import { ExecuteTaskType, Stage, TaskType } from "./task_type.ts";
import {
  ShutdownTimeoutError,
  TaskError,
  UnexpectedStopError,
} from "./errors.ts";

/**
 * Options for a {@linkcode TaskManager}.
 *
 * @example
 * ```ts
 * import { TaskManager, type TaskManagerOptions } from "@goasync/core";
 *
 * const options: TaskManagerOptions = { shutdownTimeout: 25_000 };
 * const manager = new TaskManager(options);
 * ```
 */
export interface TaskManagerOptions {
  /**
   * How long, in milliseconds, to wait after the stop for every `execute` to
   * settle, and then for each `cleanup`. A task still running at its deadline
   * is reported with a `ShutdownTimeoutError` and abandoned. Default: wait for
   * ever.
   */
  shutdownTimeout?: number;
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
 *         signal.addEventListener("abort", () => resolve(), { once: true })
 *       ));
 *   }
 * }
 * addWorkers(new TaskManager(), 4);
 * ```
 */
export interface AsyncTaskManager {
  /** Adds a task with a full lifecycle. Allowed only before `run`. */
  addTask(name: string, task: Task | ExecuteFn, type?: TaskType): void;
  /** Adds an execute-only task, before `run` or while the manager executes. */
  addExecuteTask(
    name: string,
    task: ExecuteTask | ExecuteFn,
    type?: ExecuteTaskType,
  ): void;
  /** Runs every task; resolves with every failure once all have stopped. */
  run(signal?: AbortSignal): Promise<TaskError[]>;
}

type StageFn = (signal: AbortSignal) => unknown;
type Phase = "idle" | "initializing" | "executing" | "stopping" | "stopped";
type Outcome = typeof SETTLED | typeof TIMED_OUT | { error: unknown };

const SETTLED: unique symbol = Symbol("settled");
const TIMED_OUT: unique symbol = Symbol("timed out");
const TASK_TYPES: readonly string[] = Object.values(TaskType);
const EXECUTE_TASK_TYPES: readonly string[] = Object.values(ExecuteTaskType);

/** One added task and the manager's bookkeeping for it. */
class Entry {
  readonly name: string;
  readonly type: TaskType;
  /** The object the stages are called on (`this`), if any. */
  readonly self: unknown;
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
  controller: AbortController | undefined = undefined;
  /** True while its `execute` has neither settled nor been abandoned. */
  running = false;

  constructor(
    name: string,
    type: TaskType,
    self: unknown,
    execute: StageFn,
    initialize?: StageFn,
    cleanup?: StageFn,
  ) {
    this.name = name;
    this.type = type;
    this.self = self;
    this.execute = execute;
    this.initialize = initialize;
    this.cleanup = cleanup;
  }
}

/**
 * Runs a group of tasks as one program, with goasync's semantics:
 *
 * 1. Tasks are initialized one at a time, in the order they were added. If one
 *    fails, no later task is initialized: the failed task and every task before
 *    it are cleaned up, in reverse order, and `run` resolves with the errors.
 * 2. Then every `execute` runs concurrently. Each task gets its own
 *    `AbortSignal`, aborted when the manager stops.
 * 3. The manager stops when the caller's signal aborts, a `strict` task returns
 *    or throws, an `error` task throws, or a `stop-group` task throws or the
 *    last one running returns.
 * 4. After the stop it waits for every `execute` to settle (or for
 *    `shutdownTimeout`), then calls every `cleanup` in reverse order.
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
 *       signal.addEventListener("abort", () => resolve(), { once: true })
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
export class TaskManager implements AsyncTaskManager {
  readonly #shutdownTimeout: number | undefined;
  #phase: Phase = "idle";
  /** Tasks added before execution started, in the order added. */
  readonly #tasks: Entry[] = [];
  /** Execute tasks added while executing and still running. */
  readonly #dynamic = new Set<Entry>();
  /** How many executes have neither settled nor been abandoned. */
  #running = 0;
  #stopGroupLeft = 0;
  #stopped = false;
  #stopReason: unknown = undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Ends the wait for the one initialize or cleanup in flight. */
  #wake: ((outcome: Outcome) => void) | undefined = undefined;
  #onDrained: (() => void) | undefined = undefined;
  readonly #errors: TaskError[] = [];

  /**
   * Creates a manager with no tasks.
   *
   * @param options Optional settings; see {@linkcode TaskManagerOptions}.
   */
  constructor(options: TaskManagerOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("TaskManager options must be an object");
    }
    const timeout = options.shutdownTimeout;
    if (
      timeout !== undefined &&
      (typeof timeout !== "number" || !(timeout >= 0) ||
        timeout > 2_147_483_647)
    ) {
      throw new RangeError(
        `shutdownTimeout must be a number of milliseconds from 0 to 2147483647, got ${
          show(timeout)
        }`,
      );
    }
    this.#shutdownTimeout = timeout;
  }

  /**
   * Adds a task with a full lifecycle. Tasks can be added only before `run`.
   *
   * @param name A name for error reports; need not be unique.
   * @param task The task, or a bare function used as its `execute` stage.
   * @param type How the task's end affects the manager; default `"strict"`.
   * @throws {TypeError} For a missing name, a task without an `execute`
   * function, or an unknown type; the manager is left unchanged.
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
   * ```
   */
  addTask(name: string, task: Task | ExecuteFn, type: TaskType = "strict") {
    const entry = toEntry("addTask", name, task, type, TASK_TYPES, true);
    if (this.#phase !== "idle") {
      throw new Error(
        `addTask("${name}"): tasks with a lifecycle can be added only before run; use addExecuteTask while running`,
      );
    }
    this.#tasks.push(entry);
    if (type === TaskType.StopGroup) this.#stopGroupLeft++;
  }

  /**
   * Adds a task that has only an `execute` stage. Before `run` (or while
   * tasks are being initialized) it waits to start with the others; while the
   * manager is executing it starts at once. Only `execute` is called, even on
   * an object that has other stages.
   *
   * @param name A name for error reports; need not be unique.
   * @param task The task, or a bare function used as its `execute` stage.
   * @param type How the task's end affects the manager; default `"strict"`.
   * @throws {TypeError} For a missing name, a task without an `execute`
   * function, or an unknown type; the manager is left unchanged.
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
    type: ExecuteTaskType = "strict",
  ) {
    const entry = toEntry(
      "addExecuteTask",
      name,
      task,
      type,
      EXECUTE_TASK_TYPES,
      false,
    );
    if (this.#stopped || this.#phase === "stopped") {
      throw new Error(
        `addExecuteTask("${name}"): the manager is stopping or stopped`,
      );
    }
    if (this.#phase === "executing") this.#start(entry, true);
    else this.#tasks.push(entry);
  }

  /**
   * Initializes, executes and cleans up every task, and resolves with every
   * {@linkcode TaskError} once all have stopped (an empty array when all went
   * well). With no tasks, it waits for `signal`.
   *
   * @param signal Stops the manager when it aborts.
   * @returns The task failures, in the order they happened.
   * @throws {Error} When called a second time (the promise rejects).
   *
   * @example
   * ```ts
   * import { TaskManager } from "@goasync/core";
   *
   * const manager = new TaskManager();
   * manager.addTask("idle", (signal) =>
   *   new Promise((resolve) =>
   *     signal.addEventListener("abort", () => resolve(), { once: true })
   *   ));
   * const errors = await manager.run(AbortSignal.timeout(10));
   * console.log(errors); // []
   * ```
   */
  async run(signal?: AbortSignal): Promise<TaskError[]> {
    if (this.#phase !== "idle") {
      throw new Error(
        "TaskManager.run was already called; a manager runs once",
      );
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError("run(signal): signal must be an AbortSignal");
    }
    this.#phase = "initializing";
    const onAbort = () => this.#stop(signal?.reason);
    if (signal?.aborted) this.#stop(signal.reason);
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const attempted = await this.#initializeAll();
      if (!this.#stopped) this.#startAll();
      await new Promise<void>((resolve) => {
        this.#onDrained = resolve;
        this.#checkDrained();
      });
      clearTimeout(this.#deadline);
      await this.#cleanUp(attempted);
      return this.#errors;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#phase = "stopped";
    }
  }

  /** Initializes tasks in order; returns how many had their turn. */
  async #initializeAll(): Promise<number> {
    let attempted = 0;
    // A for-of loop also visits execute tasks added while this one awaits.
    for (const entry of this.#tasks) {
      if (this.#stopped) break;
      attempted++;
      entry.controller = new AbortController();
      if (entry.initialize === undefined) continue;
      let outcome = this.#callSerial(
        entry.initialize,
        entry.self,
        entry.controller.signal,
      );
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome === SETTLED) continue;
      if (outcome === TIMED_OUT) {
        this.#abandon(entry, Stage.Initialize);
      } else if (!this.#isAbortEcho(outcome.error)) {
        this.#fail(entry, Stage.Initialize, outcome.error);
      }
      break;
    }
    return attempted;
  }

  #startAll() {
    this.#phase = "executing";
    for (const entry of this.#tasks) {
      if (this.#stopped) break;
      this.#start(entry, false);
    }
  }

  #start(entry: Entry, dynamic: boolean) {
    const controller = entry.controller ??= new AbortController();
    // Running from the call on: a stop the call itself causes (it aborts the
    // caller's signal, or adds a task that fails at once) must abort this
    // task's signal too, and wait for it before cleaning up.
    entry.running = true;
    this.#running++;
    if (dynamic) this.#dynamic.add(entry);
    let result: unknown;
    try {
      result = entry.execute.call(entry.self, controller.signal);
      if (result === undefined) {
        return this.#executeSettled(entry, false, undefined);
      }
      // Inside the try: a returned promise whose `then` or `constructor`
      // accessor throws is the task's failure, not the manager's.
      Promise.resolve(result).then(
        () => this.#executeSettled(entry, false, undefined),
        (error) => this.#executeSettled(entry, true, error),
      );
    } catch (error) {
      this.#executeSettled(entry, true, error);
    }
  }

  #executeSettled(entry: Entry, failed: boolean, error: unknown) {
    if (!entry.running) return; // abandoned at the shutdown deadline
    entry.running = false;
    this.#running--;
    this.#dynamic.delete(entry);
    this.#executeEnded(entry, failed, error);
    this.#checkDrained();
  }

  #executeEnded(entry: Entry, failed: boolean, error: unknown) {
    if (failed) {
      if (!this.#isAbortEcho(error)) this.#fail(entry, Stage.Execute, error);
    } else if (entry.type === TaskType.Strict) {
      if (!this.#stopped) {
        this.#fail(entry, Stage.Execute, new UnexpectedStopError(entry.name));
      }
    } else if (entry.type === TaskType.StopGroup) {
      if (--this.#stopGroupLeft === 0) {
        this.#stop(abortError("every stop-group task returned"));
      }
    }
  }

  /** Records a failure; every failure stops the manager. */
  #fail(entry: Entry, stage: Stage, cause: unknown) {
    this.#errors.push(new TaskError(entry.name, stage, cause, entry.type));
    this.#stop(abortError(`task "${entry.name}" failed in ${stage}`));
  }

  #stop(reason: unknown) {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopReason = reason;
    if (this.#phase !== "stopped") this.#phase = "stopping";
    for (const entry of this.#tasks) entry.controller?.abort(reason);
    for (const entry of this.#dynamic) entry.controller?.abort(reason);
    if (this.#shutdownTimeout !== undefined) {
      this.#deadline = setTimeout(
        () => this.#onDeadline(),
        this.#shutdownTimeout,
      );
    }
    this.#checkDrained();
  }

  #onDeadline() {
    this.#wake?.(TIMED_OUT);
    for (const entry of this.#tasks) {
      if (entry.running) this.#abandon(entry, Stage.Execute);
    }
    for (const entry of this.#dynamic) this.#abandon(entry, Stage.Execute);
    this.#dynamic.clear();
    this.#checkDrained();
  }

  #abandon(entry: Entry, stage: Stage) {
    if (entry.running) {
      entry.running = false;
      this.#running--;
    }
    const cause = new ShutdownTimeoutError(
      entry.name,
      stage,
      this.#shutdownTimeout!,
    );
    this.#errors.push(new TaskError(entry.name, stage, cause, entry.type));
  }

  #checkDrained() {
    if (this.#onDrained && this.#stopped && this.#running === 0) {
      const resolve = this.#onDrained;
      this.#onDrained = undefined;
      resolve();
    }
  }

  /** Cleans up, in reverse order, the first `attempted` tasks. */
  async #cleanUp(attempted: number) {
    for (let i = attempted - 1; i >= 0; i--) {
      const entry = this.#tasks[i];
      if (entry.cleanup === undefined) continue;
      const controller = new AbortController();
      let outcome = this.#callSerial(
        entry.cleanup,
        entry.self,
        controller.signal,
      );
      if (outcome instanceof Promise) {
        const timer = this.#shutdownTimeout === undefined
          ? undefined
          : setTimeout(() => this.#wake?.(TIMED_OUT), this.#shutdownTimeout);
        outcome = await outcome;
        clearTimeout(timer);
      }
      if (outcome === TIMED_OUT) {
        const cause = new ShutdownTimeoutError(
          entry.name,
          Stage.Cleanup,
          this.#shutdownTimeout!,
        );
        controller.abort(cause);
        this.#errors.push(
          new TaskError(entry.name, Stage.Cleanup, cause, entry.type),
        );
      } else if (outcome !== SETTLED) {
        this.#errors.push(
          new TaskError(entry.name, Stage.Cleanup, outcome.error, entry.type),
        );
      }
    }
  }

  /**
   * Calls one serial stage (initialize or cleanup). A synchronous outcome is
   * returned as it is, so a run of synchronous stages costs no promise each.
   */
  #callSerial(
    fn: StageFn,
    self: unknown,
    signal: AbortSignal,
  ): Outcome | Promise<Outcome> {
    let result: unknown;
    try {
      result = fn.call(self, signal);
      if (result === undefined) return SETTLED;
    } catch (error) {
      return { error };
    }
    return new Promise<Outcome>((resolve) => {
      this.#wake = resolve;
      try {
        Promise.resolve(result).then(
          () => resolve(SETTLED),
          (error) => resolve({ error }),
        );
      } catch (error) { // a `then` or `constructor` accessor threw
        resolve({ error });
      }
    }).finally(() => this.#wake = undefined);
  }

  /**
   * After the stop, rejecting with the signal's reason or with an
   * `AbortError` is how abortable APIs (fetch, timers, streams) say they
   * stopped as asked; it is not a failure.
   */
  #isAbortEcho(error: unknown): boolean {
    if (!this.#stopped) return false;
    if (Object.is(error, this.#stopReason)) return true; // NaN too
    try {
      return typeof error === "object" && error !== null &&
        (error as { name?: unknown }).name === "AbortError";
    } catch {
      return false;
    }
  }
}

function abortError(message: string): DOMException {
  return new DOMException(
    `the task manager is stopping: ${message}`,
    "AbortError",
  );
}

/** Validates a task and reads its stages once, so later calls see no getters. */
function toEntry(
  method: string,
  name: unknown,
  task: unknown,
  type: unknown,
  types: readonly string[],
  lifecycle: boolean,
): Entry {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `${method}: name must be a non-empty string, got ${show(name)}`,
    );
  }
  if (typeof type !== "string" || !types.includes(type)) {
    throw new TypeError(
      `${method}("${name}"): unknown task type ${show(type)}; expected one of ${
        types.map((t) => `"${t}"`).join(", ")
      }`,
    );
  }
  if (typeof task === "function") {
    return new Entry(
      name,
      type as TaskType,
      undefined,
      task as StageFn,
      undefined,
      undefined,
    );
  }
  if (task === null || typeof task !== "object") {
    throw new TypeError(
      `${method}("${name}"): task must be a function or an object with an execute method, got ${
        show(task)
      }`,
    );
  }
  let execute: unknown, initialize: unknown, cleanup: unknown;
  try {
    const stages = task as Record<string, unknown>;
    execute = stages.execute;
    if (lifecycle) {
      initialize = stages.initialize;
      cleanup = stages.cleanup;
    }
  } catch (cause) {
    throw new TypeError(
      `${method}("${name}"): reading the task's methods threw`,
      { cause },
    );
  }
  if (typeof execute !== "function") {
    throw new TypeError(
      `${method}("${name}"): task.execute must be a function, got ${
        show(execute)
      }`,
    );
  }
  for (
    const [stage, fn] of [["initialize", initialize], ["cleanup", cleanup]]
  ) {
    if (fn !== undefined && typeof fn !== "function") {
      throw new TypeError(
        `${method}("${name}"): task.${stage} must be a function when present, got ${
          show(fn)
        }`,
      );
    }
  }
  return new Entry(
    name,
    type as TaskType,
    task,
    execute as StageFn,
    initialize as StageFn | undefined,
    cleanup as StageFn | undefined,
  );
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return "an object";
}
