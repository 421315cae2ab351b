/**
 * {@linkcode ShutdownController}: an `AbortController` that OS signals abort.
 *
 * @module
 */

import {
  checkOsSignals,
  defaultSignals,
  type OsSignal,
  signalReason,
} from "./os_signal.ts";
import { currentRuntime } from "./runtime.ts";
import { listenUntilDisposed } from "./listeners.ts";

/**
 * An `AbortController` that aborts when the process receives one of the
 * given signals (default SIGINT and SIGTERM; on Windows SIGINT and SIGBREAK). Its `signal.reason` is then an
 * `AbortError` `DOMException` whose message names the signal ("received
 * SIGTERM"), and {@linkcode ShutdownController.receivedSignal} says which.
 *
 * Aborting (by a signal or by calling `abort()`) or disposing removes every
 * listener it added, and no other. Listening for SIGINT or SIGTERM suppresses
 * their default action, so once the controller has aborted, a further Ctrl-C
 * ends the process the usual way, at once; that includes the duplicate that
 * wrappers such as `npx` deliver for one press. `runMain` handles that case
 * and should be preferred for a service's entry point.
 *
 * A signal listener does not keep a Node.js process alive: awaiting only this
 * controller's signal at the top level exits with code 13 on Node.js.
 *
 * @example Stop a manager on Ctrl-C or SIGTERM
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { ShutdownController } from "@goasync/core/signals";
 *
 * const manager = new TaskManager();
 * manager.addTask("job", () => {}, "stop-group");
 * using shutdown = new ShutdownController(["SIGINT", "SIGTERM"]);
 * const errors = await manager.run(shutdown.signal);
 * console.log(errors.length, shutdown.receivedSignal); // 0 undefined
 * ```
 */
export class ShutdownController extends AbortController implements Disposable {
  readonly #listening: Disposable;
  #received: OsSignal | undefined = undefined;

  /**
   * Starts listening for `signals`.
   *
   * @param signals The signals that abort the controller; default SIGINT and
   * SIGTERM (SIGINT and SIGBREAK on Windows). Listed twice counts once.
   * @throws {TypeError} For an unknown signal name or an empty list.
   * @throws {Error} For a signal the platform lacks (SIGBREAK outside
   * Windows), or in a runtime without OS signals; nothing is left installed.
   */
  constructor(signals?: readonly OsSignal[]) {
    super();
    const runtime = currentRuntime();
    this.#listening = listenUntilDisposed(
      runtime,
      checkOsSignals(
        signals ?? defaultSignals(runtime),
        "ShutdownController",
        runtime.platform,
      ),
      (signal) => this.#onSignal(signal),
      "ShutdownController",
    );
  }

  /**
   * The signal that aborted the controller; `undefined` while none has, or
   * when it was aborted by calling `abort()`.
   *
   * @example
   * ```ts
   * import { ShutdownController } from "@goasync/core/signals";
   *
   * using shutdown = new ShutdownController();
   * shutdown.signal.addEventListener("abort", () => {
   *   console.log(`stopping after ${shutdown.receivedSignal}`);
   * });
   * ```
   */
  get receivedSignal(): OsSignal | undefined {
    return this.#received;
  }

  /**
   * Aborts the signal, like `AbortController.abort`, and removes every
   * listener this controller added.
   *
   * @param reason The abort reason; default an `AbortError` `DOMException`.
   *
   * @example
   * ```ts
   * import { ShutdownController } from "@goasync/core/signals";
   *
   * const shutdown = new ShutdownController();
   * shutdown.abort(new Error("configuration changed"));
   * console.log(shutdown.signal.aborted); // true
   * ```
   */
  override abort(reason?: unknown): void {
    this.#listening[Symbol.dispose]();
    super.abort(reason);
  }

  /**
   * Removes every listener this controller added, without aborting. Called
   * at the end of a `using` block.
   *
   * @example
   * ```ts
   * import { ShutdownController } from "@goasync/core/signals";
   *
   * const shutdown = new ShutdownController(["SIGHUP"]);
   * shutdown[Symbol.dispose](); // SIGHUP has its default action again
   * console.log(shutdown.signal.aborted); // false
   * ```
   */
  [Symbol.dispose](): void {
    this.#listening[Symbol.dispose]();
  }

  #onSignal(signal: OsSignal): void {
    if (this.signal.aborted) return;
    this.#received = signal;
    this.abort(signalReason(signal));
  }
}

/**
 * Creates a {@linkcode ShutdownController} for `signals` (default SIGINT and
 * SIGTERM).
 *
 * @param signals The signals that abort the controller.
 * @returns A controller that is listening.
 * @throws {TypeError} For an unknown signal name or an empty list.
 * @throws {Error} For a signal the platform lacks, or in a runtime without OS
 * signals.
 *
 * @example
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { shutdownController } from "@goasync/core/signals";
 *
 * const manager = new TaskManager();
 * manager.addTask("job", () => {}, "stop-group");
 * using shutdown = shutdownController(["SIGTERM"]);
 * await manager.run(shutdown.signal);
 * ```
 */
export function shutdownController(
  signals?: readonly OsSignal[],
): ShutdownController {
  return new ShutdownController(signals);
}
