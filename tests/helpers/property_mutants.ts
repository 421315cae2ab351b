/**
 * Deliberately broken task managers, to prove that the property tests catch
 * each kind of mistake: each wraps the real TaskManager and breaks one
 * guarantee, or (for restarts, which live in the manager's private methods)
 * is a copy of its source with one small break (`property_mutant_source.ts`).
 * `tests/property_test.ts` asserts that fast-check finds a counterexample
 * for every one, for the reason given.
 *
 * @module
 */

import type {
  ExecuteTask,
  ExecuteTaskOptions,
  ExecuteTaskType,
  ManagerSnapshot,
  Task,
  TaskError,
  TaskManagerOptions,
  TaskOptions,
  TaskType,
} from "../../mod.ts";
import { TaskManager } from "../../mod.ts";
import type { ManagerFactory, ManagerUnderTest } from "./property_harness.ts";
import { type Edit, mutatedManager } from "./property_mutant_source.ts";

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
  /** Run before the first program (and `done` after the last), if given. */
  prepare?: () => Promise<void>;
  done?: () => Promise<void>;
}

class Broken implements ManagerUnderTest {
  readonly #inner: TaskManager;
  readonly #breakage: Breakage;

  constructor(options: TaskManagerOptions, breakage: Breakage) {
    this.#inner = new TaskManager(options);
    this.#breakage = breakage;
  }

  addTask(name: string, task: Task, options?: TaskType | TaskOptions): void {
    this.#inner.addTask(
      name,
      this.#breakage.task?.(task) as Task ?? task,
      options,
    );
  }

  addExecuteTask(
    name: string,
    task: ExecuteTask,
    options?: ExecuteTaskType | ExecuteTaskOptions,
  ) {
    const add = () =>
      this.#inner.addExecuteTask(
        name,
        this.#breakage.task?.(task) as ExecuteTask ?? task,
        options,
      );
    if (this.#breakage.addExecuteTask) this.#breakage.addExecuteTask(add);
    else add();
  }

  run(signal?: AbortSignal): Promise<TaskError[]> {
    return this.#breakage.run?.(this.#inner, signal) ??
      this.#inner.run(signal);
  }

  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
  ): void {
    this.#inner.addEventListener(type, listener);
  }

  stop(reason?: unknown): void {
    if (arguments.length > 0) this.#inner.stop(reason);
    else this.#inner.stop();
  }

  snapshot(): ManagerSnapshot {
    return this.#inner.snapshot();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#inner[Symbol.asyncDispose]();
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

/** The manager with `edits` applied to `module` (default: its engine). */
function sourceMutant(
  name: string,
  expected: RegExp,
  edits: readonly Edit[],
  module = "_internal/engine.ts",
): Mutant {
  let loaded: Awaited<ReturnType<typeof mutatedManager>> | undefined;
  return {
    name,
    expected,
    factory: (options) => new loaded!.TaskManager(options),
    prepare: async () => {
      loaded = await mutatedManager(module, edits);
    },
    done: async () => {
      await loaded?.remove();
      loaded = undefined;
    },
  };
}

/**
 * Wraps every stage of a task: `cleanup` is skipped while the task's signal
 * is not aborted, that is, at a restart (the final cleanup comes after the
 * stop, which aborts every task's signal).
 */
function skipRestartCleanup(task: AnyTask): AnyTask {
  if (typeof task === "function") return task;
  const stages = task as unknown as Record<string, StageFn | undefined>;
  const cleanup = stages.cleanup;
  if (cleanup === undefined) return task;
  let signal: AbortSignal | undefined;
  for (const stage of ["initialize", "execute"]) {
    const original = stages[stage];
    if (original === undefined) continue;
    Object.defineProperty(task, stage, {
      value(this: unknown, given: AbortSignal) {
        signal = given;
        return original.call(this, given);
      },
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(task, "cleanup", {
    value(this: unknown, given: AbortSignal) {
      if (signal !== undefined && !signal.aborted) return undefined;
      return cleanup.call(this, given);
    },
    configurable: true,
    writable: true,
  });
  return task;
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
  mutant(
    "resolves as soon as the caller aborts",
    /run resolved (in phase|while)|listener/,
    {
      run: (inner, signal) =>
        Promise.race([
          inner.run(signal),
          new Promise<TaskError[]>((resolve) =>
            signal?.addEventListener("abort", () => resolve([]), { once: true })
          ),
        ]),
    },
  ),
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
  // Restarts (DESIGN.md "Restart policies").
  mutant(
    "skips the cleanup before a restart",
    /without calling its cleanup first/,
    { task: skipRestartCleanup },
  ),
  sourceMutant("restarts after the stop", /unexpected taskrestart/, [[
    "const restart = !stopped && budget !== undefined &&",
    "const restart = budget !== undefined &&",
  ]]),
  sourceMutant(
    "does not wait for the backoff delay",
    /before (its|the) backoff/,
    [[
      "    if (this.#aborted) return false;\n    const budget = this.#budgetOf(record)!;",
      "    if (this.#aborted) return false;\n    if (delay > 0) return true;\n    const budget = this.#budgetOf(record)!;",
    ]],
  ),
  sourceMutant("never gives up restarting", /unexpected taskrestart/, [[
    "const delay = budget.next(Date.now());",
    "const delay = budget.next(Date.now()) ?? 0;",
  ]]),
  sourceMutant(
    "leaves the backoff timer running at the stop",
    /backoff timer of \S+ was (not cleared|still pending)/,
    [[
      "      stopTimer(timer);\n      this.#wake(record, TIMED_OUT);",
      "      this.#wake(record, TIMED_OUT);",
    ]],
  ),
  sourceMutant(
    "does not show a restarting task as restarting",
    /the snapshot at taskrestart .* not restarting/,
    [['    this.#setTaskState(record, "restarting");\n', ""]],
  ),
  // The core bugs the property found (8b974bc, 9bc2630), put back.
  sourceMutant(
    "resumes a restart after a stop during its backoff wait",
    /called (with an aborted signal|after the stop)|do not alternate/,
    [[
      "if (!waited || this.#aborted) return this.#taskEnded(record);",
      "if (!waited) return this.#taskEnded(record);",
    ]],
  ),
  sourceMutant(
    "leaves out the error of a failure with undefined",
    /has the wrong error: none/,
    [[
      "error: unknown, // NO_ERROR for none: a task may fail with undefined",
      "error: unknown = NO_ERROR,",
    ]],
  ),
  sourceMutant(
    "leaves a zero-delay restart's yield timer pending",
    /yield timer\(s\) left pending/,
    [[
      "    this.#budgetOf(record)?.yielder?.stop(); // leaves no timer behind\n",
      "",
    ]],
  ),
  sourceMutant(
    "gives each task its own reason for stop(undefined)",
    /aborted with another reason/,
    [[
      'reason === undefined ? abortError("stop() was called") : reason,',
      'arguments.length > 0 ? reason : abortError("stop() was called"),',
    ]],
    "task_manager.ts",
  ),
  sourceMutant(
    "reports a restart as a TaskError",
    /unexpected TaskError .*a restart is not a TaskError/,
    [[
      "    budget.restarts++;\n",
      "    budget.restarts++;\n    this.#record(record, Stage.Execute, cause);\n",
    ]],
  ),
];
