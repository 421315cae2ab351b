/**
 * {@linkcode FakeTask}: a `Task` whose every call is recorded and whose every
 * stage does what the test says.
 *
 * @module
 */

import type { Task } from "../types.ts";
import { Fake, type FakeOptions } from "./fake.ts";
import { Recorder } from "./_recorder.ts";
import { untilAborted } from "./_stub_table.ts";
import type { StageStub } from "./stub.ts";

/**
 * The stages of a {@linkcode FakeTask}.
 *
 * @example
 * ```ts
 * import { FakeTask, type FakeTaskStage } from "@goasync/core/testing";
 *
 * const task = new FakeTask("db");
 * const stage: FakeTaskStage = "initialize";
 * console.log(task.callsOf(stage).length); // 0
 * ```
 */
export type FakeTaskStage = "initialize" | "execute" | "cleanup";

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
export class FakeTask extends Fake<FakeTaskStage> implements Task {
  readonly #recorder: Recorder<FakeTaskStage>;

  /**
   * Creates a fake task.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-task"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-task", options?: FakeOptions) {
    const recorder = new Recorder<FakeTaskStage>("FakeTask", name, options);
    super(recorder);
    const resolve = () => Promise.resolve();
    this.#recorder = recorder.define({
      initialize: resolve,
      execute: (signal: AbortSignal) => untilAborted([signal], undefined),
      cleanup: resolve,
    });
    // Bound, so that `fake.execute` also works as a bare `ExecuteFn`.
    this.initialize = this.initialize.bind(this);
    this.execute = this.execute.bind(this);
    this.cleanup = this.cleanup.bind(this);
  }

  /** Records the call, then does what `when("initialize")` says. */
  initialize(signal: AbortSignal): void | Promise<void> {
    return this.#recorder.call("initialize", [signal]) as void | Promise<void>;
  }

  /** Records the call, then does what `when("execute")` says. */
  execute(signal: AbortSignal): void | Promise<void> {
    return this.#recorder.call("execute", [signal]) as void | Promise<void>;
  }

  /** Records the call, then does what `when("cleanup")` says. */
  cleanup(signal: AbortSignal): void | Promise<void> {
    return this.#recorder.call("cleanup", [signal]) as void | Promise<void>;
  }

  /**
   * What `stage` does from now on.
   *
   * @param stage `"initialize"`, `"execute"` or `"cleanup"`.
   * @returns The stage's stub; see {@linkcode Stub}.
   */
  when(stage: FakeTaskStage): StageStub {
    return this.#recorder.stub(stage) as StageStub;
  }
}
