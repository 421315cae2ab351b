/**
 * What a fake's method does when called: {@linkcode Stub} and the behaviours
 * a test can give it.
 *
 * @module
 */

import type { Latch } from "./latch.ts";

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
