/**
 * Programs with restart policies that once broke the invariants of
 * `property_restarts.ts`: the smallest program for each core bug the
 * property tests found (fixed in 8b974bc and 9bc2630). The random programs
 * reach them only now and then; `tests/property_test.ts` runs each of these
 * every time, and source mutants in `property_mutants.ts` put three of the
 * bugs back to show that the checker sees them.
 *
 * @module
 */

import {
  type Behavior,
  type Program,
  type TaskSpec,
  type Value,
  withDescription,
} from "./property_program.ts";

/** A program that once broke an invariant. */
export interface Regression {
  /** What it showed before the fix, in a few words. */
  showed: string;
  program: Program;
}

const throws = (value: Value): Behavior => ({
  kind: "sync",
  outcome: { ok: false, value },
});
const returns: Behavior = { kind: "sync", outcome: { ok: true } };
const untilAbort: Behavior = {
  kind: "until-abort",
  delay: { ticks: 0 },
  outcome: { ok: true },
};
const error = (message: string): Value => ({
  kind: "value",
  value: new Error(message),
});

/** A strict task whose execute throws at once: it stops the manager. */
const broken: TaskSpec = {
  api: "addTask",
  type: "strict",
  shape: "function",
  execute: { behavior: throws(error("broken")) },
};

/** Fails once, is restarted at once (backoff 0), then runs until the stop. */
function flaky(stages: Partial<TaskSpec>): TaskSpec {
  return {
    api: "addTask",
    type: "strict",
    shape: "object",
    restart: { policy: "transient", backoff: { initial: 0 } },
    execute: { calls: [throws(error("first attempt"))], behavior: untilAbort },
    ...stages,
  };
}

function program(tasks: TaskSpec[], extra: Partial<Program> = {}): Program {
  return withDescription({
    kind: "restart",
    listen: true,
    random: 0,
    tasks,
    later: [],
    ...extra,
  });
}

/** One program for each bug. */
export const REGRESSIONS: Regression[] = [
  {
    showed: "snapshot() throws after a task threw a hostile Proxy",
    program: program([{
      api: "addTask",
      type: "strict",
      shape: "function",
      execute: { behavior: throws({ kind: "hostile" }) },
    }]),
  },
  {
    showed: "taskstop has no error property after `throw undefined`",
    program: program([{
      api: "addExecuteTask",
      type: "strict",
      shape: "function",
      execute: { behavior: throws({ kind: "value", value: undefined }) },
    }]),
  },
  {
    showed: "a restart's initialize is called after the stop",
    program: program([
      flaky({ initialize: { behavior: returns } }),
      broken,
    ]),
  },
  {
    // The stop must come after the zero-delay backoff ended: one microtask.
    showed: "cleanup is called twice in a row when a restart is stopped",
    program: program([flaky({ cleanup: { behavior: returns } }), {
      ...broken,
      execute: {
        behavior: {
          kind: "async",
          delay: { ticks: 1 },
          outcome: { ok: false, value: error("broken") },
          abortCallerFirst: false,
        },
      },
    }]),
  },
  {
    showed: "a zero-delay restart leaves its event-loop yield timer pending",
    program: program([{
      api: "addTask",
      type: "strict",
      shape: "function",
      restart: {
        policy: "permanent",
        backoff: { initial: 0 },
        intensity: { maxRestarts: 2 },
      },
      execute: { behavior: returns },
    }]),
  },
  {
    showed: "stop(undefined) aborts each task with its own reason",
    program: program([
      { ...broken, execute: { behavior: untilAbort } },
      { ...broken, execute: { behavior: untilAbort } },
    ], { stopAt: 0, stopReason: { kind: "value", value: undefined } }),
  },
];
