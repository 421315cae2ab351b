/**
 * `@goasync/core/testing`: fakes for the tests of code built on
 * `@goasync/core`, the TypeScript counterpart of goasync's counterfeiter
 * fakes.
 *
 * - {@linkcode FakeTask} and {@linkcode FakeExecuteTask}: tasks to hand to a
 *   real `TaskManager` (or to a provided task), to check what the manager
 *   does with them.
 * - {@linkcode FakeTaskManager}: a manager to hand to code under test, to
 *   check which tasks it adds (with which options) and how it reacts to
 *   what `run` returns, to the manager's state and to its events.
 *
 * Every fake records each call, with its arguments, in a {@linkcode CallLog};
 * fakes that share a log show the order of calls across them. What each
 * method does is set with `fake.when(method)`: `resolves`, `rejects`,
 * `returns`, `throws`, `waits` (for a {@linkcode Latch} the test settles),
 * `untilAborted` or `calls(fn)`, for every call or with `onCall(n)` for one.
 *
 * @example The order of a manager's calls across two tasks
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { CallLog, FakeTask } from "@goasync/core/testing";
 *
 * const log = new CallLog();
 * const db = new FakeTask("db", { log });
 * const server = new FakeTask("server", { log });
 * server.when("execute").rejects(new Error("port in use"));
 *
 * const manager = new TaskManager();
 * manager.addTask("db", db);
 * manager.addTask("server", server);
 * const [error] = await manager.run();
 * console.log(error.taskName); // server
 * console.log(log.sequence());
 * // ["db.initialize", "server.initialize", "db.execute", "server.execute",
 * //  "server.cleanup", "db.cleanup"]
 * ```
 *
 * @module
 */

export { FakeTask, type FakeTaskStage } from "./fake_task.ts";
export { FakeExecuteTask } from "./fake_execute_task.ts";
export {
  type AddedTask,
  type AddExecuteTaskArgs,
  type AddTaskArgs,
  FakeTaskManager,
  type FakeTaskManagerMethod,
} from "./fake_task_manager.ts";
export type { Fake, FakeOptions } from "./fake.ts";
export { type Call, CallLog } from "./call_log.ts";
export type { Latch } from "./latch.ts";
export type {
  Behaviour,
  StageStub,
  Stub,
  SyncBehaviour,
  SyncStub,
} from "./stub.ts";

// The core types in the signatures above, so that this entry point documents
// completely on its own (`deno doc --lint` on it alone).
export type {
  AsyncTaskManager,
  BackoffOptions,
  ExecuteFn,
  ExecuteTask,
  ExecuteTaskOptions,
  ExecuteTaskType,
  IntensityOptions,
  ManagerSnapshot,
  ManagerState,
  ManagerStateEvent,
  RestartPolicy,
  Stage,
  Task,
  TaskError,
  TaskErrorEvent,
  TaskEvent,
  TaskManagerEventMap,
  TaskOptions,
  TaskSnapshot,
  TaskState,
  TaskType,
} from "../../mod.ts";
