/**
 * {@linkcode FakeExecuteTask}: an `ExecuteTask` whose every call is recorded
 * and whose `execute` does what the test says.
 *
 * @module
 */

import type { ExecuteTask } from "../types.ts";
import { Fake, type FakeOptions } from "./fake.ts";
import { Recorder } from "./_recorder.ts";
import { untilAborted } from "./_stub_table.ts";
import type { StageStub } from "./stub.ts";

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
export class FakeExecuteTask extends Fake<"execute"> implements ExecuteTask {
  readonly #recorder: Recorder<"execute">;

  /**
   * Creates a fake execute task.
   *
   * @param name Its name in the log; unique within a shared log.
   * Default: `"fake-execute-task"`.
   * @param options See {@linkcode FakeOptions}.
   * @throws {Error} When a fake of that name already records in `options.log`.
   */
  constructor(name = "fake-execute-task", options?: FakeOptions) {
    const recorder = new Recorder<"execute">("FakeExecuteTask", name, options);
    super(recorder);
    this.#recorder = recorder.define({
      execute: (signal: AbortSignal) => untilAborted([signal], undefined),
    });
    // Bound, so that `fake.execute` also works as a bare `ExecuteFn`.
    this.execute = this.execute.bind(this);
  }

  /** Records the call, then does what `when("execute")` says. */
  execute(signal: AbortSignal): void | Promise<void> {
    return this.#recorder.call("execute", [signal]) as void | Promise<void>;
  }

  /**
   * What `execute` does from now on.
   *
   * @param stage `"execute"`, the only stage.
   * @returns The stage's stub; see {@linkcode Stub}.
   */
  when(stage: "execute"): StageStub {
    return this.#recorder.stub(stage) as StageStub;
  }
}
