/**
 * Small building blocks shared by every test (and the fixtures they run):
 * a task that waits for its signal, a latch (and a countdown built on it),
 * a way to let queued callbacks run, and mocked timers.
 *
 * The fakes' own public latch (`src/testing/latch.ts`) is for users' tests;
 * the suite uses this one.
 *
 * @module
 */
import { mock } from "node:test";
import { setImmediate } from "node:timers";

export { untilAborted } from "./until_aborted.ts";

/** A promise with its resolve and reject, for a test to settle at will. */
export interface Latch<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Creates a {@linkcode Latch}. */
export function latch<T = void>(): Latch<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Opens `done` after `n` calls of `tick` (at once when `n` is 0). */
export interface Countdown {
  tick(): void;
  done: Promise<void>;
}

/** A {@linkcode Latch} that opens after `n` ticks: waiting for n tasks. */
export function countdown(n: number): Countdown {
  const open = latch();
  let left = n;
  if (n === 0) open.resolve();
  return {
    tick() {
      if (--left === 0) open.resolve();
    },
    done: open.promise,
  };
}

/**
 * Lets every queued promise callback and immediate run, `turns` times over.
 * Used to show that something has NOT happened yet, never to wait for
 * something that takes time.
 */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Whether `promise` has settled, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await settle();
  return settled;
}

/** Runs `body` with `setTimeout` mocked by node:test; `settle()` stays real. */
export async function withMockTimers(body: () => Promise<void>): Promise<void> {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    await body();
  } finally {
    mock.timers.reset();
  }
}

/**
 * Runs `body` on virtual time from t = 0: `setTimeout` and `Date` are
 * mocked, so backoff delays, windows and timestamps are exact.
 */
export async function onVirtualTime(body: () => Promise<void>): Promise<void> {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  try {
    await body();
  } finally {
    mock.timers.reset();
  }
}

/** Advances virtual time by `ms`, letting promise callbacks run around it. */
export async function advance(ms: number): Promise<void> {
  await settle();
  mock.timers.tick(ms);
  await settle();
}
