/**
 * One round of a repeating task (`repeatable`, `repeatTimer`): reading the
 * option that shows a round's error, and running a round.
 *
 * @module
 */

import { isAbortEcho } from "../_internal/abort_echo.ts";
import { checkFunction, checkOptions } from "../_internal/checks.ts";
import type { StageFn } from "../_internal/stages.ts";
import type { RepeatOptions } from "./repeatable.ts";

/** What a round's error is shown to, or undefined to swallow it silently. */
export type OnError = (error: unknown) => unknown;

/**
 * Reads and checks the options once, where the task is built.
 *
 * @throws {TypeError} For options that are not an object, or an `onError`
 * that is not a function.
 */
export function readRepeatOptions(
  caller: string,
  options: unknown,
): OnError | undefined {
  const read = checkOptions<RepeatOptions>(options, `${caller}: options`);
  const onError = read.onError;
  if (onError === undefined) return undefined;
  checkFunction(onError, `${caller}: options.onError`);
  return (error) => onError.call(read, error);
}

/**
 * Runs `execute` once and swallows its error, after showing it to `onError`
 * unless it only echoes the stop. Rejects only when `onError` throws or
 * rejects.
 */
export async function runRound(
  execute: StageFn,
  signal: AbortSignal,
  onError: OnError | undefined,
): Promise<void> {
  try {
    await execute(signal);
  } catch (error) {
    if (onError && !isAbortEcho(error, signal)) await onError(error);
  }
}
