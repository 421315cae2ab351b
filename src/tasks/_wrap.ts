/**
 * What every provided task does with the task it wraps: read its stages once,
 * bound to it, and return a `Task` with an `execute` of its own that passes
 * `initialize` and `cleanup` through.
 *
 * @module
 */

import type { Task } from "../types.ts";
import { bindStage, readStages, type StageFn } from "../_internal/stages.ts";

/** A wrapped task's stages, each callable as a free function. */
export interface BoundStages {
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
}

/**
 * Reads `task` (a `Task` or a bare execute function) for `caller`.
 *
 * @throws {TypeError} As {@linkcode readStages} does.
 */
export function readTask(caller: string, task: unknown): BoundStages {
  const { self, execute, initialize, cleanup } = readStages(
    caller,
    undefined,
    task,
  );
  return {
    execute: bindStage(execute, self),
    initialize: initialize && bindStage(initialize, self),
    cleanup: cleanup && bindStage(cleanup, self),
  };
}

/**
 * The `Task` a provided task returns: `execute`, plus the wrapped task's
 * `initialize` and `cleanup` where it has them (a missing stage stays
 * missing, so the manager skips it as it would have).
 */
export function wrapTask(stages: BoundStages, execute: StageFn): Task {
  const task: Task = { execute };
  if (stages.initialize) task.initialize = stages.initialize;
  if (stages.cleanup) task.cleanup = stages.cleanup;
  return task;
}
