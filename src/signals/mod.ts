/**
 * `@goasync/core/signals`: OS signals for a `TaskManager`, on Deno, Node.js
 * and Bun alike. This is the only part of `@goasync/core` that touches the
 * runtime; where there are no OS signals (a browser and its web workers, a
 * `node:worker_threads` worker or Bun `Worker`, Deno Deploy) its functions
 * throw an error naming the place.
 *
 * - {@linkcode runMain}: the one call a service's entry point makes. It stops
 *   the manager on SIGINT or SIGTERM, reports task errors on stderr, and exits
 *   0 or 1; a second signal during a slow shutdown exits at once with 128 + its
 *   number, while one Ctrl-C delivered twice counts once.
 * - {@linkcode ShutdownController} / {@linkcode shutdownController}: an
 *   `AbortController` that signals abort, for programs that run the manager
 *   themselves.
 * - {@linkcode addSignalListener} / {@linkcode removeSignalListener}: Deno's
 *   signal API, with the same semantics on every runtime.
 *
 * @example A service's entry point
 * ```ts ignore
 * import { TaskManager } from "@goasync/core";
 * import { runMain } from "@goasync/core/signals";
 *
 * const manager = new TaskManager({ shutdownTimeout: 10_000 });
 * manager.addTask("server", {
 *   initialize: () => console.log("listening"),
 *   execute: (signal) =>
 *     new Promise((resolve) =>
 *       signal.addEventListener("abort", () => resolve(), { once: true })
 *     ),
 *   cleanup: () => console.log("closed"),
 * });
 * await runMain(manager); // exits 0 after SIGTERM, 1 if a task failed
 * ```
 *
 * @module
 */

export type { OsSignal } from "./os_signal.ts";
export { addSignalListener, removeSignalListener } from "./listeners.ts";
export {
  ShutdownController,
  shutdownController,
} from "./shutdown_controller.ts";
export {
  runMain,
  type RunMainOptions,
  type RunnableManager,
} from "./run_main.ts";
