/**
 * {@linkcode CallLog}: the record of every call made to one or more fakes,
 * in the order they happened.
 *
 * @module
 */

/**
 * One call to a fake, as recorded in its {@linkcode CallLog}.
 *
 * @example
 * ```ts
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const task = new FakeTask("db");
 * await task.initialize(AbortSignal.abort());
 * const [call] = task.calls;
 * console.log(call.fake, call.method, call.nth, call.signal?.aborted); // db initialize 0 true
 * ```
 */
export interface Call {
  /** The name of the fake that was called. */
  readonly fake: string;
  /** The method called: `"execute"`, `"addTask"`, `"run"`, ... */
  readonly method: string;
  /** The arguments, exactly as passed. */
  readonly args: readonly unknown[];
  /** The first `AbortSignal` among the arguments, if any. */
  readonly signal: AbortSignal | undefined;
  /** Where the call stands in its log: 0 for the first call recorded there. */
  readonly position: number;
  /** Which call of this method on this fake it is: 0 for the first. */
  readonly nth: number;
}

/**
 * The calls made to every fake that shares this log, in the order they
 * happened. Each fake has a log of its own unless given one; give several
 * fakes the same log to check the order of calls across them.
 *
 * @example Checking that cleanup runs in reverse order
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { CallLog, FakeTask } from "@goasync/core/testing";
 *
 * const log = new CallLog();
 * const server = new FakeTask("server", { log });
 * const manager = new TaskManager();
 * manager.addTask("db", new FakeTask("db", { log }));
 * manager.addTask("server", server);
 * const controller = new AbortController();
 * const done = manager.run(controller.signal);
 * await server.called("execute");
 * controller.abort();
 * await done;
 * console.log(log.sequence());
 * // ["db.initialize", "server.initialize", "db.execute", "server.execute",
 * //  "server.cleanup", "db.cleanup"]
 * ```
 */
export class CallLog {
  readonly #calls: Call[] = [];
  readonly #counts = new Map<string, number>();

  /** Every call recorded, oldest first. */
  get calls(): readonly Call[] {
    return this.#calls;
  }

  /**
   * Every call as `"fake.method"`, oldest first: the shortest way to check
   * an order with one `deepEqual`.
   *
   * @returns One string per call.
   *
   * @example
   * ```ts
   * import { CallLog } from "@goasync/core/testing";
   *
   * const log = new CallLog();
   * log.record("test", "abort", []);
   * console.log(log.sequence()); // ["test.abort"]
   * ```
   */
  sequence(): string[] {
    return this.#calls.map((call) => `${call.fake}.${call.method}`);
  }

  /**
   * Records a call. The fakes call this; a test may too, to put its own
   * steps (such as "aborted the signal") in the same order.
   *
   * @param fake The name of whoever was called.
   * @param method What was called.
   * @param args The arguments passed.
   * @returns The recorded call.
   *
   * @example
   * ```ts
   * import { CallLog } from "@goasync/core/testing";
   *
   * const log = new CallLog();
   * const call = log.record("clock", "tick", [1_000]);
   * console.log(call.position, call.nth); // 0 0
   * ```
   */
  record(fake: string, method: string, args: readonly unknown[]): Call {
    const key = `${fake}\u0000${method}`;
    const nth = this.#counts.get(key) ?? 0;
    this.#counts.set(key, nth + 1);
    const call: Call = Object.freeze({
      fake,
      method,
      args: Object.freeze([...args]),
      signal: args.find((arg) => arg instanceof AbortSignal) as
        | AbortSignal
        | undefined,
      position: this.#calls.length,
      nth,
    });
    this.#calls.push(call);
    return call;
  }
}
