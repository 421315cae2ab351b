/**
 * {@linkcode untilAborted}, in a module of its own that imports nothing: the
 * fresh-process fixtures use it, and importing `node:timers` or `node:test`
 * (as `tasks.ts` does) would already set up Deno's timers, hiding the trap
 * that tests/real_clock_test.ts looks for. Tests import it from `tasks.ts`.
 *
 * @module
 */

/** Resolves when `signal` aborts (at once if it has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
