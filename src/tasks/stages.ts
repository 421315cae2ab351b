/**
 * Turns the `Task | ExecuteFn` every provided task accepts into its stages,
 * and builds the wrapping `Task` that passes `initialize` and `cleanup`
 * through.
 *
 * @module
 */

import type { ExecuteFn, Task } from "../types.ts";
import { describe } from "./validate.ts";

/** A task's stages, each already bound to the object it came from. */
export interface Stages {
  execute: StageFn;
  initialize?: StageFn;
  cleanup?: StageFn;
}

/** One stage of a task. */
export type StageFn = (signal: AbortSignal) => void | Promise<void>;

/**
 * Reads a task's stages once, as the `TaskManager` does, so that later calls
 * see no getters and always run with `this` set to the original object.
 *
 * @throws {TypeError} For anything that is neither a function nor an object
 * with an `execute` method, or whose `initialize` or `cleanup` is present but
 * not a function.
 */
export function toStages(caller: string, task: Task | ExecuteFn): Stages {
  if (typeof task === "function") return { execute: task };
  if (task === null || typeof task !== "object") {
    throw new TypeError(
      `${caller}: task must be a function or an object with an execute method, got ${
        describe(task)
      }`,
    );
  }
  let fns: Record<"execute" | "initialize" | "cleanup", unknown>;
  try {
    fns = {
      execute: task.execute,
      initialize: task.initialize,
      cleanup: task.cleanup,
    };
  } catch (cause) {
    throw new TypeError(`${caller}: reading the task's methods threw`, {
      cause,
    });
  }
  if (typeof fns.execute !== "function") {
    throw new TypeError(
      `${caller}: task.execute must be a function, got ${
        describe(fns.execute)
      }`,
    );
  }
  const stages: Stages = {
    execute: bind(fns.execute as StageFn, task),
  };
  for (const stage of ["initialize", "cleanup"] as const) {
    const fn: unknown = fns[stage];
    if (fn === undefined) continue;
    if (typeof fn !== "function") {
      throw new TypeError(
        `${caller}: task.${stage} must be a function when present, got ${
          describe(fn)
        }`,
      );
    }
    stages[stage] = bind(fn as StageFn, task);
  }
  return stages;
}

/**
 * The `Task` a provided task returns: its own `execute`, and the wrapped
 * task's `initialize` and `cleanup` where it has them (a missing stage stays
 * missing, so the manager skips it as it would have).
 */
export function wrap(stages: Stages, execute: StageFn): Task {
  const task: Task = { execute };
  if (stages.initialize) task.initialize = stages.initialize;
  if (stages.cleanup) task.cleanup = stages.cleanup;
  return task;
}

function bind(fn: StageFn, self: object): StageFn {
  return (signal) => fn.call(self, signal);
}
