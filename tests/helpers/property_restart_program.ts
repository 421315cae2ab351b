/**
 * Random programs with restart policies, for the TaskManager property tests
 * (DESIGN.md "Restart policies"): tasks that are `transient` or `permanent`
 * with small backoff values (0 included) and jitter, small intensity limits,
 * stages whose first calls fail or return and whose later calls settle down
 * (or not), failing restart cleanups and initializes, a drain delay, `stop()`
 * at a virtual time, and the caller's signal aborting during backoff waits.
 * Now and then a task's options are refused (an `initial` above `max`, a
 * `permanent` stop-group task).
 *
 * {@linkcode programArb} mixes them with goasync's programs of
 * `property_program.ts`, which the exact model checks.
 *
 * @module
 */

import fc from "fast-check";
import {
  bareTaskArb,
  type Behavior,
  callerArb,
  delayArb,
  dropUndefined,
  type Effect,
  executeTaskArb,
  lifecycleTaskArb,
  outcomeArb,
  plainProgramArb,
  type Program,
  type RestartSpec,
  type StageSpec,
  taskArb,
  type TaskSpec,
  valueArb,
  withDescription,
} from "./property_program.ts";

const restartSpecArb: fc.Arbitrary<RestartSpec> = fc.record(
  {
    policy: fc.constantFrom("transient" as const, "permanent" as const),
    backoff: fc.record({
      initial: fc.constantFrom(0, 0, 1, 2, 5),
      max: fc.constantFrom(2, 10, 40),
      factor: fc.constantFrom(1, 1.5, 2, 3),
      jitter: fc.constantFrom(0, 0.25, 0.5, 1),
      resetAfter: fc.constantFrom(0, 2, 5, 30),
    }, { requiredKeys: [] }),
    intensity: fc.record({
      maxRestarts: fc.constantFrom(0, 1, 2, 3, 4),
      within: fc.constantFrom(0, 1, 4, 15, 100),
    }, { requiredKeys: [] }),
  },
  { requiredKeys: ["policy"] },
).map(dropUndefined);

/** Rarely an effect: stages of a restarted task are called many times. */
function rareEffectArb(depth: number): fc.Arbitrary<Effect | undefined> {
  if (depth > 0) return fc.constant(undefined);
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant({ kind: "abort-caller" as const }) },
    {
      weight: 1,
      arbitrary: restartExecuteTaskArb(depth + 1).map((task) => ({
        kind: "add" as const,
        task,
      })),
    },
  );
}

const untilAbortArb: fc.Arbitrary<Behavior> = fc.record({
  kind: fc.constant("until-abort" as const),
  delay: delayArb,
  outcome: outcomeArb,
});

const okArb: fc.Arbitrary<Behavior> = fc.oneof(
  fc.constant({ kind: "sync" as const, outcome: { ok: true as const } }),
  delayArb.map((delay) => ({
    kind: "async" as const,
    delay,
    outcome: { ok: true as const },
    abortCallerFirst: false,
  })),
);

const failArb: fc.Arbitrary<Behavior> = fc.tuple(
  valueArb,
  fc.option(delayArb, { nil: undefined }),
).map(([value, delay]) =>
  delay === undefined
    ? { kind: "sync" as const, outcome: { ok: false as const, value } }
    : {
      kind: "async" as const,
      delay,
      outcome: { ok: false as const, value },
      abortCallerFirst: false,
    }
);

/** Mostly succeeds: initialize and cleanup of a restarted task. */
const mostlyOkArb: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 6, arbitrary: okArb },
  { weight: 1, arbitrary: failArb },
);

/** Fails often: the calls of a restart's initialize or cleanup. */
const flakyArb: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 3, arbitrary: okArb },
  { weight: 2, arbitrary: failArb },
);

/** A call that ends an attempt: it fails (mostly) or returns, at once or soon. */
const endingArb: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 2, arbitrary: failArb },
  { weight: 1, arbitrary: okArb },
);

/** What a restarted execute does once its listed calls are used up. */
const steadyExecuteArb: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 6, arbitrary: untilAbortArb },
  { weight: 1, arbitrary: fc.constant({ kind: "forever" as const }) },
  { weight: 3, arbitrary: endingArb },
);

/** What a restarted initialize or cleanup does after its listed calls. */
const steadyStageArb: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 12, arbitrary: mostlyOkArb },
  { weight: 1, arbitrary: untilAbortArb },
  { weight: 1, arbitrary: fc.constant({ kind: "forever" as const }) },
);

function restartStageArb(
  depth: number,
  calls: fc.Arbitrary<Behavior[]>,
  steady: fc.Arbitrary<Behavior>,
): fc.Arbitrary<StageSpec> {
  return fc.record(
    { start: rareEffectArb(depth), calls, behavior: steady },
    { requiredKeys: ["calls", "behavior"] },
  ).map(dropUndefined);
}

/** Execute: one to three attempts that end, then mostly one that lasts. */
const executeStage = (depth: number) =>
  restartStageArb(
    depth,
    fc.array(endingArb, { minLength: 1, maxLength: 3 }),
    steadyExecuteArb,
  );
/** Initialize: the first call (run's, which is never restarted) mostly succeeds. */
const initializeStage = (depth: number) =>
  restartStageArb(
    depth,
    fc.tuple(mostlyOkArb, fc.array(flakyArb, { maxLength: 3 }))
      .map(([first, rest]) => [first, ...rest]),
    steadyStageArb,
  );
const cleanupStage = (depth: number) =>
  restartStageArb(depth, fc.array(flakyArb, { maxLength: 3 }), steadyStageArb);

/**
 * A task with a restart policy, made from one of goasync's tasks; a
 * `permanent` stop-group task (refused) is kept only now and then.
 */
function withRestart(
  base: fc.Arbitrary<TaskSpec>,
  depth: number,
): fc.Arbitrary<TaskSpec> {
  return fc.record({
    base,
    restart: restartSpecArb,
    keepBad: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
    execute: executeStage(depth),
    initialize: fc.option(initializeStage(depth), { nil: undefined }),
    cleanup: fc.option(cleanupStage(depth), { nil: undefined }),
  }).map(({ base, restart, keepBad, execute, initialize, cleanup }) => {
    const task: TaskSpec = { ...base, execute, restart };
    const lifecycle = base.api === "addTask" && base.shape === "object";
    if (lifecycle) {
      task.initialize = initialize;
      task.cleanup = cleanup;
    }
    if (
      restart.policy === "permanent" && base.type === "stop-group" && !keepBad
    ) task.restart = { ...restart, policy: "transient" };
    return dropUndefined(task);
  });
}

function restartExecuteTaskArb(depth: number): fc.Arbitrary<TaskSpec> {
  return withRestart(executeTaskArb(1), depth);
}

const restartTaskArb: fc.Arbitrary<TaskSpec> = fc.oneof(
  { weight: 3, arbitrary: withRestart(lifecycleTaskArb(1), 0) },
  { weight: 1, arbitrary: withRestart(bareTaskArb(1), 0) },
  { weight: 2, arbitrary: restartExecuteTaskArb(0) },
);

/**
 * Tasks without a restart policy, sometimes added with options `{ type }`:
 * goasync's, or shaped like the restarted ones but mostly running until the
 * stop, so that they leave the restarted tasks time to restart.
 */
const temporaryTaskArb: fc.Arbitrary<TaskSpec> = fc.tuple(
  fc.oneof(
    { weight: 1, arbitrary: taskArb },
    {
      weight: 2,
      arbitrary: fc.tuple(restartTaskArb, steadyExecuteArb).map((
        [{ restart: _, ...task }, behavior],
      ) => ({ ...task, execute: { ...task.execute, calls: [], behavior } })),
    },
  ),
  fc.boolean(),
).map(([task, optionsObject]) =>
  optionsObject ? { ...task, optionsObject } : task
);

/** `stop()`, `stop(undefined)` (the same, says DESIGN.md), or `stop(value)`. */
const stopReasonArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "default" as const }) },
  {
    weight: 1,
    arbitrary: fc.constant({ kind: "value" as const, value: undefined }),
  },
  { weight: 3, arbitrary: valueArb.filter((v) => v.kind !== "reason") },
);

/** Random programs with restart policies. */
export const restartProgramArb: fc.Arbitrary<Program> = fc.record(
  {
    kind: fc.constant("restart" as const),
    shutdownTimeout: fc.constantFrom(0, 1, 3, 5, 10, 20),
    drainDelay: fc.constantFrom(1, 2, 5, 8),
    // Stops mostly come late enough for a few restarts to happen first.
    caller: fc.record({
      abortAt: fc.oneof(
        { weight: 1, arbitrary: fc.constant("pre" as const) },
        { weight: 4, arbitrary: fc.constant("end" as const) },
        { weight: 3, arbitrary: fc.constant("never" as const) },
        { weight: 12, arbitrary: fc.integer({ min: 0, max: 60 }) },
      ),
      reason: callerArb.map((caller) => caller.reason),
    }),
    stopAt: fc.oneof(
      { weight: 1, arbitrary: fc.constant("pre" as const) },
      { weight: 20, arbitrary: fc.integer({ min: 0, max: 60 }) },
    ),
    stopReason: stopReasonArb,
    random: fc.integer(),
    listen: fc.constant(true),
    tasks: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: temporaryTaskArb },
        { weight: 3, arbitrary: restartTaskArb },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    later: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 30 }),
        task: fc.oneof(executeTaskArb(0), restartExecuteTaskArb(0)),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ["kind", "random", "listen", "tasks", "later"] },
).map((program) => {
  const shaped = dropUndefined(program);
  if (shaped.stopAt === undefined) delete shaped.stopReason;
  return withDescription(shaped);
});

/** Every program the property checks: goasync's, and with restarts. */
export const programArb: fc.Arbitrary<Program> = fc.oneof(
  { weight: 3, arbitrary: plainProgramArb },
  { weight: 1, arbitrary: restartProgramArb },
);
