/**
 * The dispatch of a fake method's calls to the behaviours a test set with
 * `when(method)`.
 *
 * @module
 */

import { checkFunction } from "../_internal/checks.ts";
import type { Latch } from "./latch.ts";
import type { Behaviour, Stub } from "./stub.ts";

/** What a method does for one call. */
export type Impl = (...args: never[]) => unknown;

type AnyStub = Stub<unknown[], unknown>;

/** The behaviours of one method, and the dispatch of its calls to them. */
export class StubTable {
  #default: Impl;
  readonly #byCall = new Map<number, Impl>();
  /** The stub a test configures; `when` narrows its type for each method. */
  readonly stub: AnyStub;

  constructor(method: string, initial: Impl) {
    this.#default = initial;
    this.stub = {
      ...behaviour(method, (impl) => this.#default = impl),
      onCall: (nth) => {
        checkNth(nth, `${method}.onCall`);
        return behaviour(method, (impl) => this.#byCall.set(nth, impl));
      },
    };
  }

  /** Runs the behaviour set for call number `nth`. */
  invoke(nth: number, args: readonly unknown[]): unknown {
    const impl = (this.#byCall.get(nth) ?? this.#default) as (
      ...args: unknown[]
    ) => unknown;
    return impl(...args);
  }
}

/**
 * Throws unless `nth` counts a call: a whole number from 0.
 *
 * @throws {RangeError} Otherwise.
 */
export function checkNth(nth: number, what: string): void {
  if (!Number.isSafeInteger(nth) || nth < 0) {
    throw new RangeError(
      `${what}: nth must be a whole number from 0, got ${nth}`,
    );
  }
}

/** Resolves with `value` once the first `AbortSignal` in `args` aborts. */
export function untilAborted<R>(
  args: readonly unknown[],
  value: R,
): Promise<R> {
  const signal = args.find((arg) => arg instanceof AbortSignal);
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve(value);
    signal.addEventListener("abort", () => resolve(value), { once: true });
  });
}

function behaviour(
  method: string,
  set: (impl: Impl) => void,
): Behaviour<unknown[], unknown> {
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
      const { latch, promise } = createLatch();
      set(() => promise);
      return latch;
    },
    untilAborted: (value) =>
      set((...args: unknown[]) => untilAborted(args, value)),
    calls: (fn) => set(checkFunction<Impl>(fn, `${method}.calls: fn`)),
  };
}

/** Creates a latch and the promise the calls wait on. */
function createLatch(): { latch: Latch<unknown>; promise: Promise<unknown> } {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  let settled = false;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A latch rejected before any call waits on it is not an unhandled
  // rejection; the calls that come later still see the rejection.
  promise.catch(() => {});
  const latch: Latch<unknown> = {
    resolve(value) {
      settled = true;
      resolve(value);
    },
    reject(reason) {
      settled = true;
      reject(reason);
    },
    get settled() {
      return settled;
    },
  };
  return { latch, promise };
}
