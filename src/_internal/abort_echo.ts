/**
 * How a stage that rejected after its stop is told apart from one that
 * failed.
 *
 * @module
 */

/**
 * Whether `error`, thrown after `signal` aborted, only echoes the abort: it
 * is the signal's own reason (compared with `Object.is`, so a `NaN` reason
 * counts), or an `AbortError`, which is how abortable APIs (fetch, timers,
 * streams) say they stopped as asked. Before the abort, nothing is an echo.
 */
export function isAbortEcho(error: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  if (Object.is(error, signal.reason)) return true;
  try {
    return typeof error === "object" && error !== null &&
      (error as { name?: unknown }).name === "AbortError";
  } catch {
    return false;
  }
}
