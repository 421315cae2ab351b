/**
 * `@goasync/core/tasks`: goasync's four provided tasks. Each wraps a `Task`
 * (or a bare `ExecuteFn`) and returns a `Task` to add to a `TaskManager`,
 * changing only how `execute` runs; the wrapped task's `initialize` and
 * `cleanup` are passed through, called with `this` set to the original
 * object.
 *
 * - {@linkcode repeatable}: runs `execute` again and again until the stop,
 *   swallowing a round's errors.
 * - {@linkcode repeatTimer}: runs `execute` at once and then every interval.
 * - {@linkcode interruptible}: restarts the task (cleanup, initialize,
 *   execute) on an OS signal such as `SIGHUP`.
 * - {@linkcode forceStop}: gives up on a task that does not stop in time.
 *
 * They compose: `forceStop(5_000, repeatTimer(60_000, job))` is a periodic
 * job that gets five seconds to finish its round after the stop.
 *
 * @example A service with a periodic job and a reloadable server
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { forceStop, interruptible, repeatTimer } from "@goasync/core/tasks";
 *
 * const untilAborted = (signal: AbortSignal) =>
 *   new Promise<void>((resolve) =>
 *     signal.addEventListener("abort", () => resolve(), { once: true })
 *   );
 *
 * const manager = new TaskManager();
 * manager.addTask(
 *   "server",
 *   interruptible(["SIGHUP"], {
 *     initialize: () => console.log("config loaded"),
 *     execute: untilAborted,
 *   }),
 * );
 * manager.addTask(
 *   "cleanup-job",
 *   forceStop(1_000, repeatTimer(60_000, () => console.log("swept"))),
 * );
 * await manager.run(AbortSignal.timeout(50));
 * ```
 *
 * @module
 */

export { repeatable, type RepeatOptions } from "./repeatable.ts";
export { repeatTimer } from "./repeat_timer.ts";
export { interruptible } from "./interruptible.ts";
export { forceStop, ForceStopTimeoutError } from "./force_stop.ts";

// The core and signals types in the signatures above, so that this entry
// point documents completely on its own (`deno doc --lint` on it alone).
export type { ExecuteFn, Task } from "../types.ts";
export type { OsSignal } from "../signals/mod.ts";
