/**
 * {@linkcode FakeExecuteTask}: an `ExecuteTask` whose every call is recorded
 * and whose `execute` does what the test says.
 *
 * @module
 */

import type { ExecuteTask } from "../types.ts";
import type { Call, CallLog } from "./call_log.ts";
import { type FakeOptions, Recorder } from "./recorder.ts";
import { type StageStub, StubTable, untilAborted } from "./stub.ts";

/**
 * An `ExecuteTask` for tests, for `addExecuteTask`: a
 * {@linkcode FakeTask} with only an `execute` stage, and the same API.
 * By default `execute` resolves once its signal aborts.
 *
 * @example A request handler added while the manager runs
 * ```ts
 * import { ExecuteTaskType, TaskManager } from "@goasync/core";
 * import { FakeExecuteTask } from "@goasync/core/testing";
 *
 * const request = new FakeExecuteTask("request");
 * request.when("execute").resolves();
 * const manager = new TaskManager();
 * const controller = new AbortController();
 * const done = manager.run(controller.signal);
 * manager.addExecuteTask("request", request, ExecuteTaskType.Error);
 * await request.called("execute");
 * controller.abort();
 * console.log(await done); // []
 * ```
 */
export class FakeExecuteTask implements ExecuteTask {
  readonly #recorder: Recorder;
  readonly #stub = new StubTable<[AbortSignal], void>(
    "execute",
    (signal) => untilAborted([signal], undefined),
  );

  /**
   * Creates a fake execute task.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-execute-task"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-execute-task", options?: FakeOptions) {
    this.#recorder = new Recorder(
      "FakeExecuteTask",
      ["execute"],
      name,
      options,
    );
    // Bound, so that `fake.execute` also works as a bare `ExecuteFn`.
    this.execute = this.execute.bind(this);
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

  /** Records the call, then does what `when("execute")` says. */
  execute(signal: AbortSignal): void | Promise<void> {
    const nth = this.#recorder.record("execute", [signal]);
    return this.#stub.invoke(nth, [signal]);
  }

  /**
   * What `execute` does from now on.
   *
   * @param stage `"execute"`, the only stage.
   * @returns The stage's stub; see {@linkcode Stub}.
   */
  when(stage: "execute"): StageStub {
    this.#recorder.check(stage, "when");
    return this.#stub.stub;
  }

  /**
   * The calls of `execute` so far, oldest first.
   *
   * @param stage `"execute"`, the only stage.
   */
  callsOf(stage: "execute"): Call[] {
    return this.#recorder.callsOf(stage);
  }

  /**
   * Resolves with call number `nth` of `execute` (0 for the first) once it
   * has been made: at once if it already has.
   *
   * @param stage `"execute"`, the only stage.
   * @param nth Which call, counting from 0. Default: 0.
   */
  called(stage: "execute", nth = 0): Promise<Call> {
    return this.#recorder.called(stage, nth);
  }
}
