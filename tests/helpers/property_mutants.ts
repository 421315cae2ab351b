/**
 * Deliberately broken task managers, to prove that the property tests catch
 * each kind of mistake: each wraps the real TaskManager and breaks one
 * guarantee. `tests/property_test.ts` asserts that fast-check finds a
 * counterexample for every one, for the reason given.
 *
 * @module
 */

import type {
  AsyncTaskManager,
  ExecuteTask,
  ExecuteTaskType,
  Task,
  TaskError,
  TaskManagerOptions,
  TaskType,
} from "../../mod.ts";
import { TaskManager } from "../../mod.ts";
import type { ManagerFactory } from "./property_harness.ts";

type AnyTask = Task | ExecuteTask | ((signal: AbortSignal) => unknown);
type StageFn = (this: unknown, signal: AbortSignal) => unknown;

interface Breakage {
  /** Replaces a task (or its stages) before it reaches the real manager. */
  task?: (task: AnyTask) => AnyTask;
  run?: (inner: TaskManager, signal?: AbortSignal) => Promise<TaskError[]>;
  addExecuteTask?: (add: () => void) => void;
}

/** One broken manager and the violation it must be caught with. */
export interface Mutant {
  name: string;
  factory: ManagerFactory;
  /** The start of the checker's message for it. */
  expected: RegExp;
}

class Broken implements AsyncTaskManager {
  readonly #inner: TaskManager;
  readonly #breakage: Breakage;

  constructor(options: TaskManagerOptions, breakage: Breakage) {
    this.#inner = new TaskManager(options);
    this.#breakage = breakage;
  }

  addTask(name: string, task: Task, type?: TaskType): void {
    this.#inner.addTask(
      name,
      this.#breakage.task?.(task) as Task ?? task,
      type,
    );
  }

  addExecuteTask(name: string, task: ExecuteTask, type?: ExecuteTaskType) {
    const add = () =>
      this.#inner.addExecuteTask(
        name,
        this.#breakage.task?.(task) as ExecuteTask ?? task,
        type,
      );
    if (this.#breakage.addExecuteTask) this.#breakage.addExecuteTask(add);
    else add();
  }

  run(signal?: AbortSignal): Promise<TaskError[]> {
    return this.#breakage.run?.(this.#inner, signal) ??
      this.#inner.run(signal);
  }
}

/** Replaces one stage of a task object (or a bare execute function). */
function replaceStage(
  stage: "initialize" | "execute" | "cleanup",
  replace: (original: StageFn, self: unknown) => StageFn,
): (task: AnyTask) => AnyTask {
  return (task) => {
    if (typeof task === "function") {
      return stage === "execute"
        ? replace(task as StageFn, undefined) as AnyTask
        : task;
    }
    const original = (task as unknown as Record<string, StageFn | undefined>)[
      stage
    ];
    if (original === undefined) return task;
    // Same object, so `this` still is the task: only the stage changes.
    Object.defineProperty(task, stage, {
      value: replace(original, task),
      configurable: true,
      writable: true,
    });
    return task;
  };
}

function mutant(name: string, expected: RegExp, breakage: Breakage): Mutant {
  return {
    name,
    expected,
    factory: (options) => new Broken(options, breakage),
  };
}

/** Every broken manager the property tests must catch. */
export const MUTANTS: Mutant[] = [
  mutant("drops the first error", /wrong errors/, {
    run: async (inner, signal) => (await inner.run(signal)).slice(1),
  }),
  mutant("reports errors in reverse order", /wrong errors/, {
    run: async (inner, signal) => (await inner.run(signal)).reverse(),
  }),
  mutant("rejects when a task failed", /run rejected/, {
    run: async (inner, signal) => {
      const errors = await inner.run(signal);
      if (errors.length) throw errors[0];
      return errors;
    },
  }),
  mutant("resolves as soon as the caller aborts", /run resolved in phase/, {
    run: (inner, signal) =>
      Promise.race([
        inner.run(signal),
        new Promise<TaskError[]>((resolve) =>
          signal?.addEventListener("abort", () => resolve([]), { once: true })
        ),
      ]),
  }),
  mutant("leaves a listener on the caller's signal", /listener/, {
    run: (inner, signal) => {
      signal?.addEventListener("abort", () => {});
      return inner.run(signal);
    },
  }),
  mutant("sets a timer of its own", /unexpected timer/, {
    run: (inner, signal) => {
      setTimeout(() => {}, 1);
      return inner.run(signal);
    },
  }),
  mutant("swallows synchronous throws of execute", /.*/, {
    task: replaceStage("execute", (original, self) =>
      function (signal) {
        try {
          return original.call(self, signal);
        } catch {
          return undefined;
        }
      }),
  }),
  mutant("swallows initialize failures", /.*/, {
    task: replaceStage("initialize", (original, self) =>
      function (signal) {
        try {
          return original.call(self, signal);
        } catch {
          return undefined;
        }
      }),
  }),
  mutant("calls cleanup twice", /cleanup of \S+ called/, {
    task: replaceStage("cleanup", (original, self) =>
      function (signal) {
        try {
          const first = original.call(self, signal);
          // Handled without `first.then`, which the harness would log.
          if (first instanceof Promise) {
            Promise.prototype.then.call(first, undefined, () => {});
          }
        } catch { /* the second call decides */ }
        return original.call(self, signal);
      }),
  }),
  mutant("hands execute a signal that never aborts", /abort(ed)? the signal/, {
    task: replaceStage("execute", (original, self) =>
      function () {
        return original.call(self, new AbortController().signal);
      }),
  }),
  mutant("calls execute on another object", /not called on its task/, {
    task: (task) => typeof task === "function" ? task : { ...task } as AnyTask,
  }),
  mutant("accepts addExecuteTask after the stop", /did not throw/, {
    addExecuteTask: (add) => {
      try {
        add();
      } catch { /* pretend it was added */ }
    },
  }),
];
