/**
 * {@linkcode FakeTask}: a `Task` whose every call is recorded and whose every
 * stage does what the test says.
 *
 * @module
 */

import type { Task } from "../types.ts";
import type { Call, CallLog } from "./call_log.ts";
import { type FakeOptions, Recorder } from "./recorder.ts";
import { type StageStub, StubTable, untilAborted } from "./stub.ts";

/** The stages of a {@linkcode FakeTask}. */
export type FakeTaskStage = "initialize" | "execute" | "cleanup";

const STAGES: readonly FakeTaskStage[] = ["initialize", "execute", "cleanup"];

/**
 * A `Task` for tests, the counterpart of goasync's counterfeiter `FakeTask`.
 * Every call of a stage is recorded (with its signal, in order, in the
 * fake's {@linkcode CallLog}), and what each stage does is set with
 * `when(stage)`:
 *
 * | behaviour                  | the stage...                                  |
 * | -------------------------- | --------------------------------------------- |
 * | `resolves()`               | returns a resolved promise                    |
 * | `returns()`                | returns at once, synchronously                |
 * | `rejects(e)` / `throws(e)` | rejects with `e` / throws `e` synchronously   |
 * | `waits()`                  | waits until the test settles the latch it got |
 * | `untilAborted()`           | resolves once its signal aborts               |
 * | `calls(fn)`                | runs `fn(signal)`                             |
 *
 * `when(stage).onCall(n)` sets call `n` only (0 for the first). By default
 * `initialize` and `cleanup` resolve at once and `execute` resolves once its
 * signal aborts, like a well-behaved long-running task.
 *
 * `await fake.called(stage)` waits until a stage has been called;
 * `fake.callsOf(stage)` lists its calls, each with the `signal` it was given.
 *
 * @example A task whose initialize fails
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const db = new FakeTask("db");
 * db.when("initialize").rejects(new Error("no database"));
 * const manager = new TaskManager();
 * manager.addTask("db", db);
 * const [error] = await manager.run();
 * console.log(error.stage, db.callsOf("execute").length); // initialize 0
 * console.log(db.log.sequence()); // ["db.initialize", "db.cleanup"]
 * ```
 *
 * @example Holding a stage until the test lets it go
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const server = new FakeTask("server");
 * const draining = server.when("cleanup").waits();
 * const manager = new TaskManager();
 * manager.addTask("server", server);
 * const controller = new AbortController();
 * const done = manager.run(controller.signal);
 * const { signal } = await server.called("execute");
 * controller.abort();
 * console.log(signal?.aborted); // true
 * await server.called("cleanup"); // cleanup has started, and waits...
 * draining.resolve(); // ...until now
 * await done;
 * ```
 */
export class FakeTask implements Task {
  readonly #recorder: Recorder;
  readonly #stubs: Record<FakeTaskStage, StubTable<[AbortSignal], void>>;

  /**
   * Creates a fake task.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-task"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-task", options?: FakeOptions) {
    this.#recorder = new Recorder("FakeTask", STAGES, name, options);
    const resolve = () => Promise.resolve();
    this.#stubs = {
      initialize: new StubTable<[AbortSignal], void>("initialize", resolve),
      execute: new StubTable<[AbortSignal], void>(
        "execute",
        (signal) => untilAborted([signal], undefined),
      ),
      cleanup: new StubTable<[AbortSignal], void>("cleanup", resolve),
    };
    // Bound, so that `fake.execute` also works as a bare `ExecuteFn`.
    this.initialize = this.initialize.bind(this);
    this.execute = this.execute.bind(this);
    this.cleanup = this.cleanup.bind(this);
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

  /** Records the call, then does what `when("initialize")` says. */
  initialize(signal: AbortSignal): void | Promise<void> {
    return this.#call("initialize", signal);
  }

  /** Records the call, then does what `when("execute")` says. */
  execute(signal: AbortSignal): void | Promise<void> {
    return this.#call("execute", signal);
  }

  /** Records the call, then does what `when("cleanup")` says. */
  cleanup(signal: AbortSignal): void | Promise<void> {
    return this.#call("cleanup", signal);
  }

  /**
   * What `stage` does from now on.
   *
   * @param stage `"initialize"`, `"execute"` or `"cleanup"`.
   * @returns The stage's stub; see {@linkcode Stub}.
   */
  when(stage: FakeTaskStage): StageStub {
    this.#recorder.check(stage, "when");
    return this.#stubs[stage].stub;
  }

  /**
   * The calls of `stage` so far, oldest first.
   *
   * @param stage `"initialize"`, `"execute"` or `"cleanup"`.
   */
  callsOf(stage: FakeTaskStage): Call[] {
    return this.#recorder.callsOf(stage);
  }

  /**
   * Resolves with call number `nth` of `stage` (0 for the first) once it has
   * been made: at once if it already has.
   *
   * @param stage `"initialize"`, `"execute"` or `"cleanup"`.
   * @param nth Which call, counting from 0. Default: 0.
   */
  called(stage: FakeTaskStage, nth = 0): Promise<Call> {
    return this.#recorder.called(stage, nth);
  }

  #call(stage: FakeTaskStage, signal: AbortSignal): void | Promise<void> {
    const nth = this.#recorder.record(stage, [signal]);
    return this.#stubs[stage].invoke(nth, [signal]);
  }
}
