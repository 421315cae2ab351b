/**
 * {@linkcode FakeTaskManager}: an `AsyncTaskManager` that records what code
 * under test adds to it and lets the test decide what `run` does.
 *
 * @module
 */

import type {
  AsyncTaskManager,
  ExecuteFn,
  ExecuteTask,
  ExecuteTaskType,
  Task,
  TaskError,
  TaskType,
} from "../../mod.ts";
import type { Call, CallLog } from "./call_log.ts";
import { type FakeOptions, Recorder } from "./recorder.ts";
import { type Stub, StubTable, type SyncStub, untilAborted } from "./stub.ts";

/** A task added to a {@linkcode FakeTaskManager}. */
export interface AddedTask {
  /** Which method added it. */
  readonly method: "addTask" | "addExecuteTask";
  /** The name it was added under. */
  readonly name: string;
  /** The task, exactly as passed. */
  readonly task: Task | ExecuteTask | ExecuteFn;
  /** Its type, `"strict"` when none was passed. */
  readonly type: TaskType | ExecuteTaskType;
}

/** The arguments of {@linkcode FakeTaskManager.addTask}. */
export type AddTaskArgs = [
  name: string,
  task: Task | ExecuteFn,
  type?: TaskType,
];

/** The arguments of {@linkcode FakeTaskManager.addExecuteTask}. */
export type AddExecuteTaskArgs = [
  name: string,
  task: ExecuteTask | ExecuteFn,
  type?: ExecuteTaskType,
];

/** The methods of a {@linkcode FakeTaskManager}. */
export type FakeTaskManagerMethod = "addTask" | "addExecuteTask" | "run";

const METHODS: readonly FakeTaskManagerMethod[] = [
  "addTask",
  "addExecuteTask",
  "run",
];

/**
 * An `AsyncTaskManager` for the tests of code that is handed a manager
 * (the counterpart of goasync's counterfeiter `FakeAsyncTaskManager`). It
 * runs nothing: it records every call in its {@linkcode CallLog}, keeps the
 * tasks added in {@linkcode FakeTaskManager.tasks}, and does what
 * `when(method)` says.
 *
 * By default `addTask` and `addExecuteTask` accept anything (no checks), and
 * `run` resolves with `[]` once its signal aborts (never, without a signal),
 * as a real manager with nothing to do would. `when("run")` takes the same
 * behaviours as a task's stage, with the `TaskError[]` to resolve with:
 * `resolves(errors)`, `rejects(e)`, `waits()`, `untilAborted(errors)`,
 * `calls(fn)`. `when("addTask")` and `when("addExecuteTask")` take
 * `returns()`, `throws(e)` and `calls(fn)`; a call that throws adds nothing.
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
 */
export class FakeTaskManager implements AsyncTaskManager {
  readonly #recorder: Recorder;
  readonly #added: AddedTask[] = [];
  readonly #addTask = new StubTable<AddTaskArgs, void>("addTask", () => {});
  readonly #addExecuteTask = new StubTable<AddExecuteTaskArgs, void>(
    "addExecuteTask",
    () => {},
  );
  readonly #run = new StubTable<[signal?: AbortSignal], TaskError[]>(
    "run",
    (...args) => untilAborted(args, []),
  );

  /**
   * Creates a fake manager with no tasks.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-task-manager"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-task-manager", options?: FakeOptions) {
    this.#recorder = new Recorder("FakeTaskManager", METHODS, name, options);
    // Bound, so that code under test may pass the methods around.
    this.addTask = this.addTask.bind(this);
    this.addExecuteTask = this.addExecuteTask.bind(this);
    this.run = this.run.bind(this);
  }

  /** Its name in the log. */
  get name(): string {
    return this.#recorder.name;
  }

  /** The log its calls are recorded in (maybe shared with other fakes). */
  get log(): CallLog {
    return this.#recorder.log;
  }

  /** Every call of this fake, oldest first. */
  get calls(): readonly Call[] {
    return this.#recorder.calls;
  }

  /** The tasks added by calls that did not throw, in the order added. */
  get tasks(): readonly AddedTask[] {
    return this.#added;
  }

  /**
   * Records the call, does what `when("addTask")` says, and unless that
   * threw, adds the task to {@linkcode FakeTaskManager.tasks}.
   *
   * @param name The name to add the task under.
   * @param task The task.
   * @param type Its type; `"strict"` if omitted.
   */
  addTask(name: string, task: Task | ExecuteFn, type?: TaskType): void {
    const args = [...arguments] as AddTaskArgs;
    const nth = this.#recorder.record("addTask", args);
    this.#addTask.invoke(nth, args);
    this.#added.push({ method: "addTask", name, task, type: type ?? "strict" });
  }

  /**
   * Records the call, does what `when("addExecuteTask")` says, and unless
   * that threw, adds the task to {@linkcode FakeTaskManager.tasks}.
   *
   * @param name The name to add the task under.
   * @param task The task.
   * @param type Its type; `"strict"` if omitted.
   */
  addExecuteTask(
    name: string,
    task: ExecuteTask | ExecuteFn,
    type?: ExecuteTaskType,
  ): void {
    const args = [...arguments] as AddExecuteTaskArgs;
    const nth = this.#recorder.record("addExecuteTask", args);
    this.#addExecuteTask.invoke(nth, args);
    this.#added.push({
      method: "addExecuteTask",
      name,
      task,
      type: type ?? "strict",
    });
  }

  /**
   * Records the call and does what `when("run")` says.
   *
   * @param signal The signal the code under test passed, if any.
   * @returns What `when("run")` says; by default `[]` once `signal` aborts.
   */
  run(signal?: AbortSignal): Promise<TaskError[]> {
    const args: [signal?: AbortSignal] = arguments.length ? [signal] : [];
    const nth = this.#recorder.record("run", args);
    try {
      return Promise.resolve(this.#run.invoke(nth, args));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * What `run` does from now on.
   *
   * @param method `"run"`.
   */
  when(method: "run"): Stub<[signal?: AbortSignal], TaskError[]>;
  /**
   * What `addTask` does from now on.
   *
   * @param method `"addTask"`.
   */
  when(method: "addTask"): SyncStub<AddTaskArgs, void>;
  /**
   * What `addExecuteTask` does from now on.
   *
   * @param method `"addExecuteTask"`.
   */
  when(method: "addExecuteTask"): SyncStub<AddExecuteTaskArgs, void>;
  when(
    method: FakeTaskManagerMethod,
  ):
    | Stub<[signal?: AbortSignal], TaskError[]>
    | SyncStub<AddTaskArgs, void>
    | SyncStub<AddExecuteTaskArgs, void> {
    this.#recorder.check(method, "when");
    if (method === "run") return this.#run.stub;
    return method === "addTask"
      ? this.#addTask.stub
      : this.#addExecuteTask.stub;
  }

  /**
   * The calls of `method` so far, oldest first.
   *
   * @param method `"addTask"`, `"addExecuteTask"` or `"run"`.
   */
  callsOf(method: FakeTaskManagerMethod): Call[] {
    return this.#recorder.callsOf(method);
  }

  /**
   * Resolves with call number `nth` of `method` (0 for the first) once it
   * has been made: at once if it already has.
   *
   * @param method `"addTask"`, `"addExecuteTask"` or `"run"`.
   * @param nth Which call, counting from 0. Default: 0.
   */
  called(method: FakeTaskManagerMethod, nth = 0): Promise<Call> {
    return this.#recorder.called(method, nth);
  }
}
