/**
 * {@linkcode FakeTaskManager}: a task manager that records what code under
 * test does with it and lets the test decide what each method does, what
 * state it is in, and which events it fires.
 *
 * @module
 */

import type { ExecuteFn, ExecuteTask, Task } from "../types.ts";
import type { ExecuteTaskType, TaskType } from "../task_type.ts";
import type { TaskError } from "../errors.ts";
import type {
  ExecuteTaskOptions,
  RestartPolicy,
  TaskOptions,
} from "../restart.ts";
import {
  type ManagerSnapshot,
  type ManagerState,
  ManagerStateEvent,
  type TaskManagerEventMap,
  type TaskState,
} from "../events.ts";
import type { AsyncTaskManager } from "../task_manager.ts";
import { checkTaskOptions } from "../_internal/task_options.ts";
import { readStages } from "../_internal/stages.ts";
import { show } from "../_internal/render.ts";
import { checkName } from "../_internal/checks.ts";
import { SafeListeners } from "../_internal/safe_listeners.ts";
import { Fake, type FakeOptions } from "./fake.ts";
import { Recorder } from "./_recorder.ts";
import { untilAborted } from "./_stub_table.ts";
import type { Stub, SyncStub } from "./stub.ts";

/**
 * A task added to a {@linkcode FakeTaskManager}.
 *
 * @example
 * ```ts
 * import { type AddedTask, FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.addTask("worker", () => {}, { restart: "transient" });
 * const [added]: readonly AddedTask[] = manager.tasks;
 * console.log(added.name, added.type, added.restart); // worker strict transient
 * ```
 */
export interface AddedTask {
  /** Which method added it. */
  readonly method: "addTask" | "addExecuteTask";
  /** The name it was added under. */
  readonly name: string;
  /** The task, exactly as passed. */
  readonly task: Task | ExecuteTask | ExecuteFn;
  /** Its type, given alone or in the options; `"strict"` when none was. */
  readonly type: TaskType | ExecuteTaskType;
  /** Its restart policy; `"temporary"` when none was given. */
  readonly restart: RestartPolicy;
  /**
   * The third argument as options: the object as passed, `{ type }` when a
   * type alone was passed, `{}` when nothing was.
   */
  readonly options: TaskOptions | ExecuteTaskOptions;
}

/**
 * The arguments of {@linkcode FakeTaskManager.addTask}.
 *
 * @example
 * ```ts
 * import { type AddTaskArgs, FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.addTask("worker", () => {}, "error");
 * const [name, , type] = manager.callsOf("addTask")[0].args as AddTaskArgs;
 * console.log(name, type); // worker error
 * ```
 */
export type AddTaskArgs = [
  name: string,
  task: Task | ExecuteFn,
  options?: TaskType | TaskOptions,
];

/**
 * The arguments of {@linkcode FakeTaskManager.addExecuteTask}.
 *
 * @example
 * ```ts
 * import { type AddExecuteTaskArgs, FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.addExecuteTask("request", () => {});
 * const [name] = manager.callsOf("addExecuteTask")[0].args as AddExecuteTaskArgs;
 * console.log(name); // request
 * ```
 */
export type AddExecuteTaskArgs = [
  name: string,
  task: ExecuteTask | ExecuteFn,
  options?: ExecuteTaskType | ExecuteTaskOptions,
];

/**
 * The methods of a {@linkcode FakeTaskManager}, as `when` and the log name
 * them.
 *
 * @example
 * ```ts
 * import { FakeTaskManager, type FakeTaskManagerMethod } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * const method: FakeTaskManagerMethod = "addTask";
 * console.log(manager.callsOf(method).length); // 0
 * ```
 */
export type FakeTaskManagerMethod =
  | "addTask"
  | "addExecuteTask"
  | "run"
  | "stop"
  | "snapshot"
  | "asyncDispose";

/** What the tasks of a built snapshot are doing in each manager state. */
const TASK_STATE: Readonly<Record<ManagerState, TaskState>> = {
  idle: "pending",
  initializing: "pending",
  running: "running",
  draining: "running",
  stopping: "stopping",
  stopped: "stopped",
};

/**
 * A task manager for the tests of code that is handed one (the counterpart
 * of goasync's counterfeiter `FakeAsyncTaskManager`). It runs nothing: it
 * records every call in its {@linkcode CallLog}, keeps the tasks added in
 * {@linkcode FakeTaskManager.tasks}, and does what `when(method)` says.
 *
 * By default:
 * - `addTask` and `addExecuteTask` check their arguments as a `TaskManager`
 *   does (a `TypeError`, and nothing added) and accept the third argument
 *   in both forms, a type or options;
 * - `run` resolves with `[]` once its signal aborts or `stop` is called, as
 *   a real manager with nothing to do would;
 * - `stop(reason)` ends that wait; `[Symbol.asyncDispose]()` stops and waits
 *   for the last `run` (at once if `run` was never called);
 * - `snapshot()` describes the tasks added, in the `state` the test set.
 *
 * `when("run")` and `when("asyncDispose")` take the behaviours of a task's
 * stage (`resolves(errors)`, `rejects(e)`, `waits()`, `untilAborted(errors)`,
 * `calls(fn)`, ...); the other methods take `returns(value)`, `throws(e)` and
 * `calls(fn)`. An add whose arguments are bad, or that is told to throw,
 * adds nothing.
 *
 * It is an `EventTarget` like `TaskManager`: setting
 * {@linkcode FakeTaskManager.state} fires `statechange`, and
 * `dispatchEvent` fires any of the manager's events, built with the real
 * classes (`TaskEvent`, `TaskErrorEvent`, `ManagerStateEvent`).
 * `addEventListener` is typed by event name, and a listener that throws is
 * written with `console.error` and changes nothing, as on the manager.
 *
 * @example Checking what a service wires up
 * ```ts
 * import { type AsyncTaskManager, TaskError, TaskType } from "@goasync/core";
 * import { FakeTaskManager } from "@goasync/core/testing";
 *
 * // The code under test.
 * async function serve(manager: AsyncTaskManager, signal: AbortSignal) {
 *   manager.addTask("http", () => {});
 *   manager.addTask("migrations", () => {}, TaskType.StopGroup);
 *   const errors = await manager.run(signal);
 *   return errors.length === 0 ? 0 : 1;
 * }
 *
 * const manager = new FakeTaskManager();
 * manager.when("run").resolves([
 *   new TaskError("http", "execute", new Error("port in use")),
 * ]);
 * const code = await serve(manager, new AbortController().signal);
 * console.log(code); // 1
 * console.log(manager.tasks.map((t) => `${t.name}:${t.type}`));
 * // ["http:strict", "migrations:stop-group"]
 * ```
 *
 * @example Options, events and stop
 * ```ts
 * import { TaskEvent } from "@goasync/core";
 * import { FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.addTask("consumer", () => {}, {
 *   restart: "transient",
 *   backoff: { initial: 50 },
 * });
 * console.log(manager.tasks[0].restart); // transient
 *
 * manager.addEventListener("taskrestart", (event) => {
 *   console.log(`${event.taskName} restarts in ${event.delay} ms`);
 * });
 * manager.dispatchEvent(
 *   new TaskEvent("taskrestart", "consumer", 1, { delay: 50 }),
 * ); // prints: consumer restarts in 50 ms
 *
 * const done = manager.run();
 * manager.stop();
 * console.log(await done); // []
 * ```
 */
export class FakeTaskManager extends Fake<FakeTaskManagerMethod>
  implements AsyncTaskManager {
  readonly #recorder: Recorder<FakeTaskManagerMethod>;
  readonly #added: AddedTask[] = [];
  readonly #listeners = new SafeListeners(this);
  /** Aborted by the default `stop`: ends the default `run`. */
  readonly #stop = new AbortController();
  #state: ManagerState = "idle";
  #since = Date.now();
  /** The promise the last `run` returned. */
  #run: Promise<TaskError[]> | undefined = undefined;
  #disposed: Promise<void> | undefined = undefined;

  /**
   * Creates a fake manager with no tasks, `idle`.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-task-manager"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-task-manager", options?: FakeOptions) {
    const recorder = new Recorder<FakeTaskManagerMethod>(
      "FakeTaskManager",
      name,
      options,
    );
    super(recorder);
    this.#recorder = recorder.define({
      addTask: () => {},
      addExecuteTask: () => {},
      run: (...args: unknown[]) => this.#untilStopped(args),
      stop: (reason?: unknown) => this.#stop.abort(reason),
      snapshot: () => this.#build(),
      asyncDispose: () => this.#dispose(),
    });
    // Bound, so that code under test may pass the methods around.
    this.addTask = this.addTask.bind(this);
    this.addExecuteTask = this.addExecuteTask.bind(this);
    this.run = this.run.bind(this);
    this.stop = this.stop.bind(this);
    this.snapshot = this.snapshot.bind(this);
  }

  /** The tasks added by calls that did not throw, in the order added. */
  get tasks(): readonly AddedTask[] {
    return this.#added;
  }

  /**
   * The manager's state: `"idle"` until the test sets another. Setting a
   * new state fires a `statechange` event, as the manager does.
   *
   * @throws {TypeError} When set to something that is not a state.
   */
  get state(): ManagerState {
    return this.#state;
  }

  set state(to: ManagerState) {
    if (typeof to !== "string" || !Object.hasOwn(TASK_STATE, to)) {
      throw new TypeError(
        `FakeTaskManager.state: unknown manager state ${
          show(to)
        }; expected one of ${
          Object.keys(TASK_STATE).map((s) => `"${s}"`).join(", ")
        }`,
      );
    }
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#since = Date.now();
    this.dispatchEvent(new ManagerStateEvent(from, to));
  }

  /**
   * Records the call, checks the arguments as `TaskManager.addTask` does,
   * does what `when("addTask")` says, and unless either threw, adds the task
   * to {@linkcode FakeTaskManager.tasks}.
   *
   * @param name The name to add the task under.
   * @param task The task.
   * @param options Its type, or its options; `"strict"` if omitted.
   * @throws {TypeError} For arguments a `TaskManager` refuses.
   */
  addTask(
    name: string,
    task: Task | ExecuteFn,
    options?: TaskType | TaskOptions,
  ): void {
    this.#add("addTask", [name, task, options].slice(0, arguments.length));
  }

  /**
   * Records the call, checks the arguments as
   * `TaskManager.addExecuteTask` does, does what `when("addExecuteTask")`
   * says, and unless either threw, adds the task to
   * {@linkcode FakeTaskManager.tasks}.
   *
   * @param name The name to add the task under.
   * @param task The task.
   * @param options Its type, or its options; `"strict"` if omitted.
   * @throws {TypeError} For arguments a `TaskManager` refuses.
   */
  addExecuteTask(
    name: string,
    task: ExecuteTask | ExecuteFn,
    options?: ExecuteTaskType | ExecuteTaskOptions,
  ): void {
    this.#add(
      "addExecuteTask",
      [name, task, options].slice(0, arguments.length),
    );
  }

  /**
   * Records the call and does what `when("run")` says.
   *
   * @param signal The signal the code under test passed, if any.
   * @returns What `when("run")` says; by default `[]` once `signal` aborts
   * or `stop` is called.
   */
  run(signal?: AbortSignal): Promise<TaskError[]> {
    const args = arguments.length ? [signal] : [];
    this.#run = settle(() => this.#recorder.call("run", args)) as Promise<
      TaskError[]
    >;
    return this.#run;
  }

  /**
   * Records the call and does what `when("stop")` says; by default, ends a
   * `run` that waits (one called later resolves at once).
   *
   * @param reason Why, as code under test passed it.
   */
  stop(reason?: unknown): void {
    this.#recorder.call("stop", arguments.length ? [reason] : []);
  }

  /**
   * Records the call and does what `when("snapshot")` says; by default,
   * returns a snapshot of the tasks added, each in the state that goes with
   * the manager's (`pending` while it is `idle` or `initializing`,
   * `running` while `running` or `draining`, then `stopping`, `stopped`).
   *
   * @returns A snapshot: the test's, or one built from what was recorded.
   */
  snapshot(): ManagerSnapshot {
    return this.#recorder.call("snapshot", []) as ManagerSnapshot;
  }

  /**
   * Records the call and does what `when("asyncDispose")` says; by default,
   * as `TaskManager` does: stops, and resolves once the last `run` has
   * settled; at once if `run` was never called; the same promise when
   * called again.
   *
   * @returns A promise that resolves once disposed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return settle(() => this.#recorder.call("asyncDispose", [])) as Promise<
      void
    >;
  }

  /**
   * Listens to one of the manager's events, with the event's own class:
   * `addEventListener("taskrestart", (e) => e.delay)` type-checks.
   *
   * @param type The event's name; see `TaskManagerEventMap`.
   * @param listener Called with each event.
   * @param options As for any `EventTarget`.
   */
  override addEventListener<K extends keyof TaskManagerEventMap>(
    type: K,
    listener:
      | ((this: FakeTaskManager, event: TaskManagerEventMap[K]) => unknown)
      | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Listens to any event, as on any `EventTarget`.
   *
   * @param type The event's name.
   * @param listener Called with each event.
   * @param options As for any `EventTarget`.
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
   * Stops listening to one of the manager's events.
   *
   * @param type The event's name; see `TaskManagerEventMap`.
   * @param listener The listener added.
   * @param options As for any `EventTarget`.
   */
  override removeEventListener<K extends keyof TaskManagerEventMap>(
    type: K,
    listener:
      | ((this: FakeTaskManager, event: TaskManagerEventMap[K]) => unknown)
      | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Stops listening to any event, as on any `EventTarget`.
   *
   * @param type The event's name.
   * @param listener The listener added.
   * @param options As for any `EventTarget`.
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
   * What `run` does from now on.
   *
   * @param method `"run"`.
   */
  when(method: "run"): Stub<[signal?: AbortSignal], TaskError[]>;
  /**
   * What `addTask` does from now on, once its arguments have passed the
   * checks.
   *
   * @param method `"addTask"`.
   */
  when(method: "addTask"): SyncStub<AddTaskArgs, void>;
  /**
   * What `addExecuteTask` does from now on, once its arguments have passed
   * the checks.
   *
   * @param method `"addExecuteTask"`.
   */
  when(method: "addExecuteTask"): SyncStub<AddExecuteTaskArgs, void>;
  /**
   * What `stop` does from now on.
   *
   * @param method `"stop"`.
   */
  when(method: "stop"): SyncStub<[reason?: unknown], void>;
  /**
   * What `snapshot` returns from now on.
   *
   * @param method `"snapshot"`.
   */
  when(method: "snapshot"): SyncStub<[], ManagerSnapshot>;
  /**
   * What `[Symbol.asyncDispose]` does from now on.
   *
   * @param method `"asyncDispose"`.
   */
  when(method: "asyncDispose"): Stub<[], void>;
  when(method: FakeTaskManagerMethod): unknown {
    return this.#recorder.stub(method);
  }

  #add(method: "addTask" | "addExecuteTask", args: unknown[]): void {
    const nth = this.#recorder.record(method, args);
    const [name, task, options] = args;
    checkName(name, method);
    const forExecute = method === "addExecuteTask";
    readStages(method, name, task, !forExecute);
    const { type } = checkTaskOptions(method, name, options, forExecute);
    this.#recorder.invoke(method, nth, args);
    const given: TaskOptions = typeof options === "object"
      ? options as TaskOptions
      : options === undefined
      ? {}
      : { type };
    this.#added.push({
      method,
      name: name as string,
      task: task as AddedTask["task"],
      type,
      restart: given.restart ?? "temporary",
      options: given,
    });
  }

  #untilStopped(args: unknown[]): Promise<TaskError[]> {
    const signals = args.filter((arg) => arg instanceof AbortSignal);
    return untilAborted([AbortSignal.any([...signals, this.#stop.signal])], []);
  }

  #build(): ManagerSnapshot {
    const since = this.#since;
    const state = TASK_STATE[this.#state];
    return {
      state: this.#state,
      since,
      tasks: this.#added.map(({ name, type }) => ({
        name,
        type,
        state,
        since,
        restarts: 0,
      })),
    };
  }

  #dispose(): Promise<void> {
    const run = this.#run;
    if (run === undefined) return Promise.resolve();
    if (this.#disposed === undefined) {
      this.#stop.abort();
      this.#disposed = run.then(() => {}, () => {});
    }
    return this.#disposed;
  }
}

/** What `fn` returns, as a promise: a throw becomes a rejection. */
function settle(fn: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
