/**
 * The abort reason used when an OS signal stops a program.
 *
 * @module
 */

import type { OsSignal } from "./os_signal.ts";

/**
 * An `AbortError` `DOMException` naming `signal`, like the reason
 * `AbortSignal.abort()` gives by default. Because its name is `AbortError`, a
 * task that rejects with it after the stop is not reported as having failed.
 */
export function signalReason(signal: OsSignal): DOMException {
  return new DOMException(`received ${signal}`, "AbortError");
}
