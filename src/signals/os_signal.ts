/**
 * The OS signals this layer knows: their names, their numbers on each
 * platform, the validation every function that takes them shares, and the
 * abort reason a signal gives.
 *
 * @module
 */

import { show } from "../_internal/render.ts";
import { currentRuntime, type SignalRuntime } from "./runtime.ts";

/**
 * The OS signals a program can listen for, named as Deno names them. Node.js
 * and Bun use the same names.
 *
 * `SIGBREAK` (Ctrl-Break) exists only on Windows; `SIGQUIT`, `SIGUSR1` and
 * `SIGUSR2` exist only outside Windows. Asking for a signal the platform lacks
 * throws an `Error` that says so.
 *
 * @example
 * ```ts
 * import type { OsSignal } from "@goasync/core/signals";
 *
 * const stopSignals: OsSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
 * ```
 */
export type OsSignal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "SIGQUIT"
  | "SIGUSR1"
  | "SIGUSR2"
  | "SIGBREAK";

/** The platform families whose signal numbers differ. */
export type SignalPlatform = "linux" | "bsd" | "sunos" | "windows";

const POSIX = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;

/**
 * Signal numbers per platform family, as `os.constants.signals` reports them.
 * A signal missing from a table does not exist on that platform.
 */
const NUMBERS: Record<SignalPlatform, Partial<Record<OsSignal, number>>> = {
  linux: { ...POSIX, SIGUSR1: 10, SIGUSR2: 12 },
  // macOS, the BSDs and AIX.
  bsd: { ...POSIX, SIGUSR1: 30, SIGUSR2: 31 },
  // Solaris and illumos.
  sunos: { ...POSIX, SIGUSR1: 16, SIGUSR2: 17 },
  // What Windows emulates: Ctrl-C, Ctrl-Break, console close (SIGHUP), and
  // SIGTERM, which can be listened for but is never raised by Windows itself.
  windows: { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGBREAK: 21 },
};

/** Every name of {@linkcode OsSignal}, in a stable order. */
export const OS_SIGNALS: readonly OsSignal[] = [
  "SIGINT",
  "SIGTERM",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGBREAK",
];

/**
 * Throws unless `signal` is an {@linkcode OsSignal} that `platform` has.
 *
 * @throws {TypeError} When `signal` is not one of the names of `OsSignal`.
 * @throws {Error} When the platform has no such signal (SIGBREAK outside
 * Windows; SIGQUIT, SIGUSR1 or SIGUSR2 on Windows).
 */
export function assertOsSignal(
  signal: unknown,
  platform: SignalPlatform,
  caller: string,
): asserts signal is OsSignal {
  assertName(signal, caller);
  if (NUMBERS[platform][signal] === undefined) {
    const where = platform === "windows" ? "Windows" : "this system";
    const hint = signal === "SIGBREAK"
      ? " (SIGBREAK is Ctrl-Break, which only Windows has)"
      : "";
    throw new Error(`${caller}: ${signal} does not exist on ${where}${hint}`);
  }
}

/**
 * The number of `signal` on `platform` (SIGINT 2, SIGTERM 15, ...), from which
 * the conventional exit code after it is 128 + the number.
 */
export function signalNumber(
  signal: OsSignal,
  platform: SignalPlatform,
): number {
  const number = NUMBERS[platform][signal];
  if (number === undefined) {
    throw new Error(`${signal} does not exist on this platform`);
  }
  return number;
}

/**
 * Validates a list of OS signal names, for every function that takes one
 * (`ShutdownController`, `runMain`, `interruptible`); returns it without
 * repeats. `platform` defaults to the running system's.
 *
 * @throws {TypeError} When `value` is not a non-empty array, or holds a value
 * that is not one of the names of {@linkcode OsSignal}.
 * @throws {Error} When the platform has no such signal (SIGBREAK outside
 * Windows), or the runtime has no OS signals at all.
 */
export function checkOsSignals(
  value: unknown,
  caller: string,
  platform?: SignalPlatform,
): OsSignal[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      `${caller}: signals must be a non-empty array of signal names, got ${
        show(value)
      } (for example ["SIGINT", "SIGTERM"])`,
    );
  }
  for (const signal of value) assertName(signal, caller);
  const on = platform ?? currentRuntime().platform;
  for (const signal of value) assertOsSignal(signal, on, caller);
  return [...new Set(value as OsSignal[])];
}

function assertName(
  signal: unknown,
  caller: string,
): asserts signal is OsSignal {
  if (
    typeof signal !== "string" || !OS_SIGNALS.includes(signal as OsSignal)
  ) {
    throw new TypeError(
      `${caller}: unknown signal ${show(signal)}; expected one of ${
        OS_SIGNALS.join(", ")
      }`,
    );
  }
}

/**
 * The signals a service is asked to stop with: Ctrl-C, and SIGTERM from
 * `kill`, Docker and Kubernetes. Windows never raises SIGTERM (and Deno
 * refuses to listen for it there), so on Windows it is Ctrl-C and Ctrl-Break.
 */
export function defaultSignals(runtime: SignalRuntime): OsSignal[] {
  return runtime.platform === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
}

/**
 * The abort reason when `signal` stops a program: an `AbortError`
 * `DOMException` naming it, like `AbortSignal.abort()`'s default, so that a
 * task rejecting with it after the stop is not reported as having failed.
 */
export function signalReason(signal: OsSignal): DOMException {
  return new DOMException(`received ${signal}`, "AbortError");
}
