/**
 * Reading a task's stages: once, when the task is added, so that a getter
 * runs once and a mistake fails at once. The manager and the provided tasks
 * read tasks the same way.
 *
 * @module
 */

import type { StageResult } from "../types.ts";
import { callName } from "./checks.ts";
import { show } from "./render.ts";

/** One stage of a task (its result is awaited if it is a thenable). */
export type StageFn = (signal: AbortSignal) => StageResult;

/**
 * A task's stages as read from it. `self` is what each stage must be called
 * on (`fn.call(self, signal)`): the task object, or undefined for a bare
 * function.
 */
export interface Stages {
  readonly self: unknown;
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
}

/**
 * Reads `task`'s stages; `lifecycle: false` reads only `execute`, as
 * `addExecuteTask` does even for an object that has other stages. `method`
 * and the task's `name` name the call in messages ({@linkcode callName}).
 *
 * @throws {TypeError} For anything that is neither a function nor an object
 * with an `execute` method, a getter that throws, or an `initialize` or
 * `cleanup` that is present but not a function.
 */
export function readStages(
  method: string,
  name: string | undefined,
  task: unknown,
  lifecycle = true,
): Stages {
  if (typeof task === "function") {
    return {
      self: undefined,
      execute: task as StageFn,
      initialize: undefined,
      cleanup: undefined,
    };
  }
  if (task === null || typeof task !== "object") {
    throw new TypeError(
      `${
        callName(method, name)
      }: task must be a function or an object with an execute method, got ${
        show(task)
      }`,
    );
  }
  let execute: unknown, initialize: unknown, cleanup: unknown;
  try {
    const fields = task as Record<string, unknown>;
    execute = fields.execute;
    if (lifecycle) {
      initialize = fields.initialize;
      cleanup = fields.cleanup;
    }
  } catch (cause) {
    throw new TypeError(
      `${callName(method, name)}: reading the task's methods threw`,
      {
        cause,
      },
    );
  }
  if (typeof execute !== "function") {
    throw new TypeError(
      `${callName(method, name)}: task.execute must be a function, got ${
        show(execute)
      }`,
    );
  }
  optionalStage(method, name, "initialize", initialize);
  optionalStage(method, name, "cleanup", cleanup);
  return {
    self: task,
    execute: execute as StageFn,
    initialize: initialize as StageFn | undefined,
    cleanup: cleanup as StageFn | undefined,
  };
}

/** `fn` called on `self`, as a free function (for a wrapping task). */
export function bindStage(fn: StageFn, self: unknown): StageFn {
  return self === undefined ? fn : (signal) => fn.call(self, signal);
}

function optionalStage(
  method: string,
  name: string | undefined,
  stage: string,
  fn: unknown,
): void {
  if (fn !== undefined && typeof fn !== "function") {
    throw new TypeError(
      `${
        callName(method, name)
      }: task.${stage} must be a function when present, got ${show(fn)}`,
    );
  }
}
