/**
 * `addSignalListener` and `removeSignalListener`: Deno's API, on every
 * runtime.
 *
 * Each signal gets one raw listener in the runtime, installed with its first
 * handler and removed with its last, so that a process is never kept alive
 * (Deno) or kept from its default action (all runtimes) by a signal nobody
 * listens for any more. That listener calls a snapshot of the handlers, which
 * makes dispatch the same everywhere: Deno would otherwise call a handler
 * added while the same signal is being dispatched for that very signal.
 *
 * @module
 */

import { assertOsSignal, type OsSignal } from "./os_signal.ts";
import { currentRuntime } from "./detect_runtime.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

interface Slot {
  readonly handlers: Set<() => void>;
  readonly dispatch: () => void;
}

const slots = new Map<SignalRuntime, Map<OsSignal, Slot>>();

/**
 * Calls `handler` each time the process receives `signal`, until
 * {@linkcode removeSignalListener} is called with the same pair.
 *
 * Semantics are the same on Deno, Node.js and Bun:
 * - Adding a handler already added for that signal does nothing.
 * - A handler added while the signal is being dispatched is first called for
 *   the next delivery; one removed during a dispatch is not called again.
 * - While any handler listens for a signal, the signal's default action (for
 *   SIGINT and SIGTERM: ending the process) does not happen.
 * - On Deno a listened-for signal keeps the process alive while a top-level
 *   `await` is pending; on Node.js it never does. Remove every handler you no
 *   longer need.
 * - A handler that throws does not keep the others from running; its error
 *   is rethrown as an uncaught exception.
 *
 * @param signal The signal to listen for.
 * @param handler Called with no arguments on each delivery.
 * @throws {TypeError} For an unknown signal name or a handler that is not a
 * function.
 * @throws {Error} For a signal the platform lacks (SIGBREAK outside Windows),
 * or in a runtime without OS signals (a browser, a worker, Deno Deploy).
 *
 * @example Reload configuration on SIGHUP
 * ```ts
 * import { addSignalListener, removeSignalListener } from "@goasync/core/signals";
 *
 * const reload = () => console.log("reloading configuration");
 * addSignalListener("SIGHUP", reload);
 * // ... later, so that the listener does not keep a Deno process alive:
 * removeSignalListener("SIGHUP", reload);
 * ```
 */
export function addSignalListener(
  signal: OsSignal,
  handler: () => void,
): void {
  addHandler(currentRuntime(), signal, handler, "addSignalListener");
}

/**
 * Stops calling `handler` for `signal`. Only handlers added with
 * {@linkcode addSignalListener} are removed: listeners other code installed
 * directly with the runtime are never touched. Removing a handler that is
 * not listening does nothing.
 *
 * @param signal The signal the handler was added for.
 * @param handler The function given to `addSignalListener`.
 * @throws {TypeError} For an unknown signal name or a handler that is not a
 * function.
 * @throws {Error} In a runtime without OS signals.
 *
 * @example
 * ```ts
 * import { addSignalListener, removeSignalListener } from "@goasync/core/signals";
 *
 * const onUsr2 = () => console.log("dumping state");
 * addSignalListener("SIGUSR2", onUsr2);
 * removeSignalListener("SIGUSR2", onUsr2);
 * ```
 */
export function removeSignalListener(
  signal: OsSignal,
  handler: () => void,
): void {
  removeHandler(currentRuntime(), signal, handler, "removeSignalListener");
}

/** `addSignalListener` against a given runtime; exported for the layer's tests. */
export function addHandler(
  runtime: SignalRuntime,
  signal: OsSignal,
  handler: () => void,
  caller = "addSignalListener",
): void {
  check(runtime, signal, handler, caller);
  let bySignal = slots.get(runtime);
  if (!bySignal) slots.set(runtime, bySignal = new Map());
  const slot = bySignal.get(signal);
  if (slot) {
    slot.handlers.add(handler);
    return;
  }
  const handlers = new Set([handler]);
  const dispatch = () => {
    for (const each of [...handlers]) {
      if (!handlers.has(each)) continue;
      try {
        each();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  runtime.listen(signal, dispatch);
  bySignal.set(signal, { handlers, dispatch });
}

/** `removeSignalListener` against a given runtime; exported for tests. */
export function removeHandler(
  runtime: SignalRuntime,
  signal: OsSignal,
  handler: () => void,
  caller = "removeSignalListener",
): void {
  check(runtime, signal, handler, caller);
  const bySignal = slots.get(runtime);
  const slot = bySignal?.get(signal);
  if (!bySignal || !slot || !slot.handlers.delete(handler)) return;
  if (slot.handlers.size > 0) return;
  bySignal.delete(signal);
  if (bySignal.size === 0) slots.delete(runtime);
  runtime.unlisten(signal, slot.dispatch);
}

/**
 * How many handlers listen for `signal` through this module on `runtime`;
 * for the layer's tests, which cannot ask Deno.
 */
export function handlerCount(
  signal: OsSignal,
  runtime: SignalRuntime = currentRuntime(),
): number {
  return slots.get(runtime)?.get(signal)?.handlers.size ?? 0;
}

function check(
  runtime: SignalRuntime,
  signal: unknown,
  handler: unknown,
  caller: string,
): void {
  assertOsSignal(signal, runtime.platform, caller);
  if (typeof handler !== "function") {
    throw new TypeError(`${caller}: the handler must be a function`);
  }
}
