/**
 * Waiting for a task's signal: what a task does when its work happens
 * elsewhere (in request handlers, in timers).
 *
 * @module
 */

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
