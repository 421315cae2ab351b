/**
 * `addSignalListener` and `removeSignalListener`: Deno's API, on every
 * runtime, and {@linkcode listenUntilDisposed}, the one way the rest of the
 * layer listens for a list of signals.
 *
 * Each signal gets one raw listener in the runtime, installed with its first
 * handler and removed with its last, so that a process is never kept alive
 * (Deno) or kept from its default action (all runtimes) by a signal nobody
 * listens for any more. That listener calls a snapshot of the handlers and
 * stays installed until its dispatch is over, which makes dispatch the same
 * everywhere: Deno calls a raw listener installed during a dispatch for that
 * very delivery.
 *
 * @module
 */

import { checkFunction } from "../_internal/checks.ts";
import { assertOsSignal, type OsSignal } from "./os_signal.ts";
import { currentRuntime, type SignalRuntime } from "./runtime.ts";

interface Slot {
  readonly handlers: Set<() => void>;
  readonly dispatch: () => void;
  /** A dispatch is running: the raw listener must stay until it ends. */
  dispatching: boolean;
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
 * or where there are no OS signals (a browser, a worker thread, Deno Deploy).
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
  const created: Slot = {
    handlers: new Set([handler]),
    dispatch: () => dispatch(runtime, signal, created),
    dispatching: false,
  };
  runtime.listen(signal, created.dispatch);
  bySignal.set(signal, created);
}

/** Calls a snapshot of the slot's handlers; a throw is rethrown later. */
function dispatch(runtime: SignalRuntime, signal: OsSignal, slot: Slot): void {
  slot.dispatching = true;
  try {
    for (const each of [...slot.handlers]) {
      if (!slot.handlers.has(each)) continue;
      try {
        each();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  } finally {
    slot.dispatching = false;
    if (slot.handlers.size === 0) release(runtime, signal, slot);
  }
}

/** `removeSignalListener` against a given runtime; exported for tests. */
export function removeHandler(
  runtime: SignalRuntime,
  signal: OsSignal,
  handler: () => void,
  caller = "removeSignalListener",
): void {
  check(runtime, signal, handler, caller);
  const slot = slots.get(runtime)?.get(signal);
  if (!slot || !slot.handlers.delete(handler)) return;
  // During a dispatch the slot stays, so that a handler added next joins it
  // instead of a new raw listener that the runtime might call at once.
  if (slot.handlers.size === 0 && !slot.dispatching) {
    release(runtime, signal, slot);
  }
}

/** Removes the raw listener of an empty slot. */
function release(runtime: SignalRuntime, signal: OsSignal, slot: Slot): void {
  const bySignal = slots.get(runtime);
  if (bySignal?.get(signal) !== slot) return;
  bySignal.delete(signal);
  if (bySignal.size === 0) slots.delete(runtime);
  runtime.unlisten(signal, slot.dispatch);
}

/**
 * Listens for each of `signals` on `runtime`, calling `onSignal` with the
 * signal, until the result is disposed of; disposing again does nothing.
 * Installs all or nothing: if one handler cannot be added, those added
 * before it are removed and the error is rethrown. Only the handlers it
 * added are ever removed.
 */
export function listenUntilDisposed(
  runtime: SignalRuntime,
  signals: readonly OsSignal[],
  onSignal: (signal: OsSignal) => void,
  caller: string,
): Disposable {
  const installed: [OsSignal, () => void][] = [];
  const dispose = () => {
    for (const [signal, handler] of installed.splice(0)) {
      removeHandler(runtime, signal, handler, caller);
    }
  };
  try {
    for (const signal of signals) {
      const handler = () => onSignal(signal);
      addHandler(runtime, signal, handler, caller);
      installed.push([signal, handler]);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { [Symbol.dispose]: dispose };
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
  checkFunction(handler, `${caller}: the handler`);
}
