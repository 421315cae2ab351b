/**
 * What a fake's method does when called: {@linkcode Stub} and the behaviours
 * a test can give it.
 *
 * @module
 */

import { createLatch, type Latch } from "./latch.ts";

/**
 * The behaviours of a method that returns synchronously, such as
 * `FakeTaskManager.addTask`.
 *
 * @example
 * ```ts
 * import { FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.when("addTask").throws(new Error("already running"));
 * ```
 */
export interface SyncBehaviour<A extends unknown[], R> {
  /** Returns `value` at once. */
  returns(value: R): void;
  /** Throws `reason` at once, synchronously. */
  throws(reason: unknown): void;
  /** Calls `fn` with the call's arguments and returns what it returns. */
  calls(fn: (...args: A) => R): void;
}

/**
 * The behaviours of a method that may return a promise, such as a task's
 * stages or `FakeTaskManager.run`. Each setter replaces the one before.
 *
 * @example
 * ```ts
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const task = new FakeTask("worker");
 * task.when("initialize").rejects(new Error("no database"));
 * task.when("execute").resolves(); // returns at once instead of waiting
 * const gate = task.when("cleanup").waits(); // held until gate.resolve()
 * ```
 */
export interface Behaviour<A extends unknown[], R> {
  /** Returns `value` at once, synchronously. */
  returns(value: R): void;
  /** Throws `reason` at once, synchronously. */
  throws(reason: unknown): void;
  /** Returns a promise that resolves with `value`. */
  resolves(value: R): void;
  /** Returns a promise that rejects with `reason`. */
  rejects(reason: unknown): void;
  /**
   * Returns a promise that settles when the test settles the returned
   * {@linkcode Latch}.
   */
  waits(): Latch<R>;
  /**
   * Returns a promise that resolves with `value` once the call's signal
   * (its first `AbortSignal` argument) aborts: at once if it already has,
   * never if there is none.
   */
  untilAborted(value: R): void;
  /** Calls `fn` with the call's arguments and returns what it returns. */
  calls(fn: (...args: A) => R | Promise<R>): void;
}

/**
 * Sets what one method of a fake does: for every call, or with
 * {@linkcode Stub.onCall} for one call only (which wins over the default).
 *
 * @example Fail the first execute, then behave
 * ```ts
 * import { FakeTask } from "@goasync/core/testing";
 *
 * const task = new FakeTask("flaky");
 * task.when("execute").resolves();
 * task.when("execute").onCall(0).rejects(new Error("first round fails"));
 * ```
 */
export interface Stub<A extends unknown[], R> extends Behaviour<A, R> {
  /**
   * The behaviour of call number `nth` only (0 for the first call).
   *
   * @param nth Which call, counting from 0.
   */
  onCall(nth: number): Behaviour<A, R>;
}

/**
 * Sets what one synchronous method of a fake does, for every call or for
 * one.
 *
 * @example
 * ```ts
 * import { FakeTaskManager } from "@goasync/core/testing";
 *
 * const manager = new FakeTaskManager();
 * manager.when("addExecuteTask").onCall(2).throws(new Error("stopping"));
 * ```
 */
export interface SyncStub<A extends unknown[], R> extends SyncBehaviour<A, R> {
  /**
   * The behaviour of call number `nth` only (0 for the first call).
   *
   * @param nth Which call, counting from 0.
   */
  onCall(nth: number): SyncBehaviour<A, R>;
}

/**
 * The stub of one stage of a fake task: `FakeTask.when(stage)` and
 * `FakeExecuteTask.when("execute")` return one.
 *
 * @example
 * ```ts
 * import { FakeTask, type StageStub } from "@goasync/core/testing";
 *
 * const execute: StageStub = new FakeTask("job").when("execute");
 * execute.rejects(new Error("job failed"));
 * ```
 */
export type StageStub = Stub<[signal: AbortSignal], void>;

type Impl = (...args: unknown[]) => unknown;

/** The behaviours of one method, and the dispatch of its calls to them. */
export class StubTable<A extends unknown[], R> {
  #default: Impl;
  readonly #byCall = new Map<number, Impl>();
  readonly #caller: string;
  /** The stub a test configures. */
  readonly stub: Stub<A, R>;

  constructor(caller: string, initial: (...args: A) => R | Promise<R>) {
    this.#caller = caller;
    this.#default = initial as Impl;
    this.stub = {
      ...behaviour<A, R>(caller, (impl) => this.#default = impl),
      onCall: (nth) => {
        if (!Number.isSafeInteger(nth) || nth < 0) {
          throw new RangeError(
            `${this.#caller}.onCall: nth must be a whole number from 0, got ${nth}`,
          );
        }
        return behaviour<A, R>(caller, (impl) => this.#byCall.set(nth, impl));
      },
    };
  }

  /** Runs the behaviour set for call number `nth`. */
  invoke(nth: number, args: A): R | Promise<R> {
    return (this.#byCall.get(nth) ?? this.#default)(...args) as
      | R
      | Promise<R>;
  }
}

function behaviour<A extends unknown[], R>(
  caller: string,
  set: (impl: Impl) => void,
): Behaviour<A, R> {
  return {
    returns: (value) => set(() => value),
    throws: (reason) =>
      set(() => {
        throw reason;
      }),
    resolves: (value) => set(() => Promise.resolve(value)),
    // Created at call time, so that an unused stub leaves no rejection about.
    rejects: (reason) => set(() => Promise.reject(reason)),
    waits: () => {
      const { latch, promise } = createLatch<R>();
      set(() => promise);
      return latch;
    },
    untilAborted: (value) => set((...args) => untilAborted(args, value)),
    calls: (fn) => {
      if (typeof fn !== "function") {
        throw new TypeError(`${caller}.calls: expected a function`);
      }
      set(fn as Impl);
    },
  };
}

/** Resolves with `value` once the first `AbortSignal` in `args` aborts. */
export function untilAborted<R>(args: unknown[], value: R): Promise<R> {
  const signal = args.find((arg) => arg instanceof AbortSignal);
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve(value);
    signal.addEventListener("abort", () => resolve(value), { once: true });
  });
}
