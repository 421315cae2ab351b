/**
 * One round of a repeating task (`repeatable`, `repeatTimer`): what happens
 * to the error of a round, and the option that lets a caller see it.
 *
 * @module
 */

import { describe } from "./validate.ts";

/**
 * Options for {@linkcode repeatable} and {@linkcode repeatTimer}.
 *
 * @example Log each failed round, and give up after the third in a row
 * ```ts
 * import { repeatable } from "@goasync/core/tasks";
 *
 * let failures = 0;
 * const poller = repeatable(async () => {
 *   await Promise.resolve(); // poll something; reset the count on success
 *   failures = 0;
 * }, {
 *   onError(error) {
 *     console.error("poll failed:", error);
 *     if (++failures === 3) throw error; // ends the task with this error
 *   },
 * });
 * ```
 */
export interface RepeatOptions {
  /**
   * Called with what a round threw or rejected with, before the next round.
   * Without it, errors are swallowed, as goasync does. If it throws or
   * rejects, the task stops repeating and fails with that error. A round that
   * rejects with its signal's reason or an `AbortError` after the stop is not
   * an error and is not reported.
   */
  onError?: (error: unknown) => void | Promise<void>;
}

/** Reads and checks the options once, where the task is built. */
export function readRepeatOptions(
  caller: string,
  options: RepeatOptions | undefined,
): RepeatOptions["onError"] {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${caller}: options must be an object, got ${describe(options)}`,
    );
  }
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== "function") {
    throw new TypeError(
      `${caller}: options.onError must be a function, got ${describe(onError)}`,
    );
  }
  return onError && ((error) => onError.call(options, error));
}

/**
 * Runs `execute` once and swallows its error, after showing it to `onError`.
 * Rejects only when `onError` throws or rejects.
 */
export async function runRound(
  execute: (signal: AbortSignal) => void | Promise<void>,
  signal: AbortSignal,
  onError: RepeatOptions["onError"],
): Promise<void> {
  try {
    await execute(signal);
  } catch (error) {
    if (onError && !isAbortEcho(signal, error)) await onError(error);
  }
}

/**
 * After the stop, rejecting with the signal's reason or an `AbortError` is
 * how abortable APIs say they stopped as asked; the `TaskManager` does not
 * count it as a failure, and neither do the provided tasks.
 */
export function isAbortEcho(signal: AbortSignal, error: unknown): boolean {
  if (!signal.aborted) return false;
  if (error === signal.reason) return true;
  try {
    return typeof error === "object" && error !== null &&
      (error as { name?: unknown }).name === "AbortError";
  } catch {
    return false;
  }
}
