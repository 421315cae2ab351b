/**
 * {@linkcode Fake}: what every fake has, its name, its log and its calls;
 * {@linkcode FakeOptions}: what every fake accepts.
 *
 * @module
 */

import type { Call, CallLog } from "./call_log.ts";
import type { Recorder } from "./_recorder.ts";

/**
 * Options every fake accepts.
 *
 * @example Two fakes sharing a log
 * ```ts
 * import { CallLog, FakeTask, type FakeOptions } from "@goasync/core/testing";
 *
 * const options: FakeOptions = { log: new CallLog() };
 * const db = new FakeTask("db", options);
 * const cache = new FakeTask("cache", options);
 * await cache.initialize(AbortSignal.abort());
 * await db.initialize(AbortSignal.abort());
 * console.log(options.log?.sequence()); // ["cache.initialize", "db.initialize"]
 * ```
 */
export interface FakeOptions {
  /**
   * The log to record calls in; share one between fakes to check the order
   * of calls across them. Default: a new log of the fake's own.
   */
  log?: CallLog;
}

/**
 * What every fake has: its name, the {@linkcode CallLog} its calls are
 * recorded in, and ways to read or wait for its calls. `M` names its
 * methods (a task's stages, a manager's methods).
 *
 * A fake is an `EventTarget` so that a `FakeTaskManager` is one, as the
 * `TaskManager` it stands in for is; the task fakes dispatch no events.
 *
 * @example A helper that works on any fake
 * ```ts
 * import { type Fake, FakeExecuteTask } from "@goasync/core/testing";
 *
 * function lastCall<M extends string>(fake: Fake<M>, method: M) {
 *   return fake.callsOf(method).at(-1);
 * }
 * const job = new FakeExecuteTask("job");
 * await job.execute(AbortSignal.abort());
 * console.log(lastCall(job, "execute")?.nth); // 0
 * ```
 */
export class Fake<M extends string> extends EventTarget {
  readonly #recorder: Recorder<M>;

  /**
   * For the fakes, which pass the recorder their own methods write to.
   *
   * @ignore
   */
  constructor(recorder: Recorder<M>) {
    super();
    this.#recorder = recorder;
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

  /**
   * The calls of `method` so far, oldest first.
   *
   * @param method One of the fake's methods.
   * @returns Each call, with its arguments and its signal.
   * @throws {TypeError} For a method the fake does not have.
   */
  callsOf(method: M): Call[] {
    return this.#recorder.callsOf(method);
  }

  /**
   * Resolves with call number `nth` of `method` (0 for the first) once it
   * has been made: at once if it already has.
   *
   * @param method One of the fake's methods.
   * @param nth Which call, counting from 0. Default: 0.
   * @returns The call.
   * @throws {TypeError} For a method the fake does not have.
   * @throws {RangeError} When `nth` is not a whole number from 0.
   */
  called(method: M, nth = 0): Promise<Call> {
    return this.#recorder.called(method, nth);
  }
}
