/**
 * Running a health handler's checks: all at once, each with its own
 * `AbortSignal` that aborts when the check runs past the timeout.
 *
 * @module
 */

import { describe } from "../_internal/render.ts";
import { whenSettled } from "../_internal/settle.ts";
import { startTimer, stopTimer } from "../_internal/timers.ts";

/** One health check: passes when it returns or resolves in time. */
export type Check = (signal: AbortSignal) => unknown;

/** How one check went. */
export interface CheckResult {
  name: string;
  pass: boolean;
  /** How long it took, in ms (the timeout when it ran past it). */
  duration: number;
  /** Why it failed. */
  output?: string;
}

/** Runs every check; resolves once each has passed, failed or timed out. */
export function runChecks(
  checks: readonly (readonly [string, Check])[],
  timeout: number,
): Promise<CheckResult[]> {
  return Promise.all(checks.map(([name, check]) => run(name, check, timeout)));
}

function run(
  name: string,
  check: Check,
  timeout: number,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    const start = performance.now();
    let done = false;
    const finish = (output?: string) => {
      if (done) return;
      done = true;
      stopTimer(timer);
      const duration = Math.round(performance.now() - start);
      resolve(
        output === undefined
          ? { name, pass: true, duration }
          : { name, pass: false, duration, output },
      );
    };
    const timer = startTimer(() => {
      const message = `timed out after ${timeout} ms`;
      finish(message);
      controller.abort(new DOMException(message, "TimeoutError"));
    }, timeout);
    let result: unknown;
    try {
      result = check(controller.signal);
    } catch (error) {
      return finish(describe(error));
    }
    whenSettled(result, () => finish(), (error) => finish(describe(error)));
  });
}
