/**
 * Random programs for the TaskManager property tests: plain data that
 * fast-check generates and shrinks, plus a readable one-line-per-task
 * description that a failure prints.
 *
 * A program is a manager's options, the caller's signal, the tasks added
 * before `run`, and execute tasks added later at virtual times. Every stage of
 * every task says what it does: settle at once, settle after a virtual delay
 * and a number of microtasks, wait for its signal, or never settle; and it may
 * abort the caller's signal or add an execute task on the way. This module
 * generates goasync's programs; `property_restart_program.ts` adds programs
 * with restart policies, a drain delay and `stop()`.
 *
 * @module
 */

import fc from "fast-check";

/** A value a stage throws or rejects with, or the caller's abort reason. */
export type Value =
  /** Exactly this value (fast-check's `anything`, an Error, a primitive). */
  | { kind: "value"; value: unknown }
  /** The stage's own `signal.reason` at the time it throws. */
  | { kind: "reason" }
  /** A fresh `DOMException` named `AbortError`. */
  | { kind: "abort-error" }
  /** A Proxy on which every operation throws. */
  | { kind: "hostile" };

/** How a stage ends: it returns, or throws / rejects with a value. */
export type Outcome = { ok: true } | { ok: false; value: Value };

/** A virtual delay in milliseconds (none: no timer), then microtasks. */
export interface Delay {
  ms?: number;
  ticks: number;
}

/** Something a stage does besides ending. */
export type Effect =
  | { kind: "abort-caller" }
  | { kind: "add"; task: TaskSpec };

/** What a stage does once called. */
export type Behavior =
  /** Returns or throws synchronously. */
  | { kind: "sync"; outcome: Outcome }
  /** Returns a promise that settles after `delay`. */
  | { kind: "async"; delay: Delay; outcome: Outcome; abortCallerFirst: boolean }
  /** Returns a promise that settles `delay` after its signal aborts. */
  | { kind: "until-abort"; delay: Delay; outcome: Outcome; onAbort?: Effect }
  /** Returns a promise that never settles and ignores its signal. */
  | { kind: "forever" };

/** One stage of a task. */
export interface StageSpec {
  /** Done synchronously when the stage is called, before it returns. */
  start?: Effect;
  /** What every call does, after those listed in `calls`. */
  behavior: Behavior;
  /** What the first calls do, in order (a task that is restarted). */
  calls?: Behavior[];
}

/** A restart policy with its options as given to the manager. */
export interface RestartSpec {
  policy: "transient" | "permanent";
  backoff?: {
    initial?: number;
    max?: number;
    factor?: number;
    jitter?: number;
    resetAfter?: number;
  };
  intensity?: { maxRestarts?: number; within?: number };
}

/** A task, added with `addTask` or `addExecuteTask`. */
export interface TaskSpec {
  api: "addTask" | "addExecuteTask";
  type: "strict" | "error" | "stop-group";
  /** A bare function (its `execute`) or an object with stage methods. */
  shape: "function" | "object";
  initialize?: StageSpec;
  execute: StageSpec;
  cleanup?: StageSpec;
  /**
   * For `addExecuteTask` with an object: the object also has `initialize`
   * and `cleanup` methods, which the manager must never call.
   */
  decoys?: boolean;
  /** Added with options `{ type, restart, backoff, intensity }`. */
  restart?: RestartSpec;
  /** Added with options `{ type }` rather than the type string. */
  optionsObject?: boolean;
}

/**
 * Which of `spec`'s optional stages the manager may call: only an object
 * added with `addTask` has its `initialize` and `cleanup` read.
 */
export function calledStages(
  spec: TaskSpec,
): { hasInit: boolean; hasCleanup: boolean } {
  const lifecycle = spec.api === "addTask" && spec.shape === "object";
  return {
    hasInit: lifecycle && spec.initialize !== undefined,
    hasCleanup: lifecycle && spec.cleanup !== undefined,
  };
}

/** A task added at a virtual time after `run` started. */
export interface LaterAdd {
  at: number;
  task: TaskSpec;
}

/** The caller's signal: when it aborts, and with what reason. */
export interface CallerSpec {
  /**
   * `pre`: aborted before `run`; a number: at that virtual time; `end`: when
   * nothing else is left to happen; `never`: not at all.
   */
  abortAt: "pre" | "end" | "never" | number;
  /** `default`: `abort()` without a reason. */
  reason: Value | { kind: "default" };
}

/** One random program. */
export interface Program {
  /**
   * `restart`: may use restart policies, `drainDelay` and `stop()`; checked
   * by the invariants of `property_restarts.ts` rather than the exact model.
   */
  kind?: "restart";
  shutdownTimeout?: number;
  /** The manager's `drainDelay`. */
  drainDelay?: number;
  /** When the harness calls `stop()`: before `run`, or at a virtual time. */
  stopAt?: "pre" | number;
  /** The reason given to `stop()`; `default`: called without one. */
  stopReason?: Value | { kind: "default" };
  /** The seed of `Math.random` while the program runs. */
  random?: number;
  /** Whether the harness listens to the manager's events. */
  listen?: boolean;
  /** Absent: `run()` is called without a signal. */
  caller?: CallerSpec;
  tasks: TaskSpec[];
  later: LaterAdd[];
}

export const valueArb: fc.Arbitrary<Value> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({ maxDepth: 1, maxKeys: 3 }).map((value) => ({
      kind: "value" as const,
      value,
    })),
  },
  {
    weight: 3,
    arbitrary: fc.string({ maxLength: 6 }).map((message) => ({
      kind: "value" as const,
      value: new Error(message),
    })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(undefined, null, "", "boom", 0).map((value) => ({
      kind: "value" as const,
      value,
    })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "reason" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "abort-error" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "hostile" as const }) },
);

export const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.constant({ ok: true as const }),
  valueArb.map((value) => ({ ok: false as const, value })),
);

/** Small delays, so that timers often fall due at the same virtual time. */
export const delayArb: fc.Arbitrary<Delay> = fc.record(
  {
    ms: fc.constantFrom(0, 1, 2, 3, 5, 8),
    ticks: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: ["ticks"] },
);

export function effectArb(depth: number): fc.Arbitrary<Effect | undefined> {
  if (depth > 0) return fc.constant(undefined);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant({ kind: "abort-caller" as const }) },
    {
      weight: 1,
      arbitrary: executeTaskArb(depth + 1).map((task) => ({
        kind: "add" as const,
        task,
      })),
    },
  );
}

export function behaviorArb(depth: number): fc.Arbitrary<Behavior> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: outcomeArb.map((outcome) => ({
        kind: "sync" as const,
        outcome,
      })),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("async" as const),
        delay: delayArb,
        outcome: outcomeArb,
        abortCallerFirst: fc.boolean().map((b) => b && depth === 0),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          kind: fc.constant("until-abort" as const),
          delay: delayArb,
          outcome: outcomeArb,
          onAbort: effectArb(depth),
        },
        { requiredKeys: ["kind", "delay", "outcome"] },
      ),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "forever" as const }) },
  );
}

export function stageArb(depth: number): fc.Arbitrary<StageSpec> {
  return fc.record(
    { start: effectArb(depth), behavior: behaviorArb(depth) },
    { requiredKeys: ["behavior"] },
  ).map(dropUndefined);
}

export function lifecycleTaskArb(depth: number): fc.Arbitrary<TaskSpec> {
  return fc.record(
    {
      api: fc.constant("addTask" as const),
      type: fc.constantFrom("strict", "error", "stop-group"),
      shape: fc.constant("object" as const),
      initialize: stageArb(depth),
      execute: stageArb(depth),
      cleanup: stageArb(depth),
    },
    { requiredKeys: ["api", "type", "shape", "execute"] },
  );
}

export function bareTaskArb(depth: number): fc.Arbitrary<TaskSpec> {
  return fc.record({
    api: fc.constant("addTask" as const),
    type: fc.constantFrom("strict", "error", "stop-group"),
    shape: fc.constant("function" as const),
    execute: stageArb(depth),
  });
}

export function executeTaskArb(depth: number): fc.Arbitrary<TaskSpec> {
  return fc.record({
    api: fc.constant("addExecuteTask" as const),
    type: fc.constantFrom("strict", "error"),
    shape: fc.constantFrom("function", "object"),
    execute: stageArb(depth),
    decoys: fc.boolean(),
  }).map((task) => ({
    ...task,
    decoys: task.shape === "object" && task.decoys,
  }));
}

export const taskArb: fc.Arbitrary<TaskSpec> = fc.oneof(
  { weight: 3, arbitrary: lifecycleTaskArb(0) },
  { weight: 1, arbitrary: bareTaskArb(0) },
  { weight: 2, arbitrary: executeTaskArb(0) },
);

export const callerArb: fc.Arbitrary<CallerSpec> = fc.record({
  abortAt: fc.oneof(
    { weight: 1, arbitrary: fc.constant("pre" as const) },
    { weight: 4, arbitrary: fc.constant("end" as const) },
    { weight: 1, arbitrary: fc.constant("never" as const) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) },
  ),
  reason: fc.oneof(
    fc.constant({ kind: "default" as const }),
    valueArb.filter((v) => v.kind !== "reason"),
  ),
});

/** Random goasync programs, each printed readably by fast-check when it fails. */
export const plainProgramArb: fc.Arbitrary<Program> = fc.record(
  {
    shutdownTimeout: fc.constantFrom(0, 1, 3, 5, 10),
    // A quarter listen to events: the restart invariants check them too.
    listen: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    caller: callerArb,
    tasks: fc.array(taskArb, { maxLength: 5 }),
    later: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 12 }),
        task: fc.oneof(
          { weight: 5, arbitrary: executeTaskArb(0) },
          { weight: 1, arbitrary: bareTaskArb(1) },
        ),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ["listen", "tasks", "later"] },
).map((program) => withDescription(dropUndefined(program)));

/** Attaches fast-check's `toString` hook, so failures print the program. */
export function withDescription(program: Program): Program {
  Object.defineProperty(program, fc.toStringMethod, {
    value: () => describeProgram(program),
    enumerable: false,
  });
  return program;
}

/** The program as readable lines: options, caller, then each task. */
export function describeProgram(program: Program): string {
  const options = (["shutdownTimeout", "drainDelay"] as const)
    .filter((key) => program[key] !== undefined)
    .map((key) => `${key}: ${program[key]}`);
  const lines = [
    `new TaskManager(${options.length ? `{ ${options.join(", ")} }` : ""})${
      program.listen ? ", events listened to" : ""
    }${
      program.random === undefined ? "" : `, Math.random seed ${program.random}`
    }`,
    program.caller === undefined
      ? "run() without a signal"
      : `run(signal), the signal aborts ${
        typeof program.caller.abortAt === "number"
          ? `at ${program.caller.abortAt} ms`
          : program.caller.abortAt === "pre"
          ? "before run"
          : program.caller.abortAt === "end"
          ? "once nothing else is left to happen"
          : "never"
      } with ${describeValue(program.caller.reason)}`,
  ];
  if (program.stopAt !== undefined) {
    lines.push(
      `stop(${describeValue(program.stopReason ?? { kind: "default" })}) ${
        program.stopAt === "pre" ? "before run" : `at ${program.stopAt} ms`
      }`,
    );
  }
  program.tasks.forEach((task, i) =>
    lines.push(`  #${i} ${describeTask(task, "  ")}`)
  );
  for (const { at, task } of program.later) {
    lines.push(`  at ${at} ms: ${describeTask(task, "  ")}`);
  }
  return lines.join("\n");
}

function describeTask(task: TaskSpec, indent: string): string {
  const head = `${task.api}(${task.type}, ${task.shape}${
    task.decoys ? " with decoy initialize/cleanup" : ""
  }${task.restart ? `, ${describeRestart(task.restart)}` : ""}${
    task.optionsObject && !task.restart ? ", as { type }" : ""
  })`;
  const stages = (["initialize", "execute", "cleanup"] as const)
    .filter((stage) => task[stage] !== undefined)
    .map((stage) =>
      `\n${indent}    ${stage}: ${describeStage(task[stage]!, indent + "    ")}`
    );
  return head + stages.join("");
}

/** `restart: "transient", backoff: {...}, intensity: {...}`, as given. */
function describeRestart(restart: RestartSpec): string {
  const parts = [`restart: "${restart.policy}"`];
  if (restart.backoff) {
    parts.push(`backoff: ${JSON.stringify(restart.backoff)}`);
  }
  if (restart.intensity) {
    parts.push(`intensity: ${JSON.stringify(restart.intensity)}`);
  }
  return parts.join(", ");
}

function describeStage(stage: StageSpec, indent: string): string {
  const start = stage.start
    ? `on call ${describeEffect(stage.start, indent)}; then `
    : "";
  const calls = stage.calls?.length
    ? `calls ${
      stage.calls.map((b, i) => `${i + 1}: ${describeBehavior(b, indent)}`)
        .join("; ")
    }; later calls: `
    : "";
  return start + calls + describeBehavior(stage.behavior, indent);
}

function describeBehavior(b: Behavior, indent: string): string {
  switch (b.kind) {
    case "sync":
      return `${describeOutcome(b.outcome)} synchronously`;
    case "async":
      return `${b.abortCallerFirst ? "abort the caller and " : ""}${
        describeOutcome(b.outcome)
      } after ${describeDelay(b.delay)}`;
    case "until-abort":
      return `wait for its signal, then${
        b.onAbort ? ` (${describeEffect(b.onAbort, indent)})` : ""
      } ${describeOutcome(b.outcome)} after ${describeDelay(b.delay)}`;
    case "forever":
      return "never settle (ignore the signal)";
  }
}

function describeEffect(effect: Effect, indent: string): string {
  return effect.kind === "abort-caller"
    ? "abort the caller's signal"
    : `add ${describeTask(effect.task, indent)}`;
}

function describeOutcome(outcome: Outcome): string {
  return outcome.ok ? "return" : `throw ${describeValue(outcome.value)}`;
}

function describeDelay(delay: Delay): string {
  return `${
    delay.ms === undefined ? "" : `${delay.ms} ms + `
  }${delay.ticks} microtasks`;
}

/** A value as the program describes it; never throws. */
export function describeValue(value: Value | { kind: "default" }): string {
  switch (value.kind) {
    case "default":
      return "no reason (an AbortError)";
    case "reason":
      return "its signal's reason";
    case "abort-error":
      return "a new AbortError";
    case "hostile":
      return "a hostile Proxy";
    case "value":
      try {
        return value.value instanceof Error
          ? `new Error(${JSON.stringify(value.value.message)})`
          : fc.stringify(value.value);
      } catch {
        return "(an indescribable value)";
      }
  }
}

/** A copy without the keys whose value is `undefined`. */
export function dropUndefined<T extends object>(record: T): T {
  const copy = { ...record };
  for (const key of Object.keys(copy) as (keyof T)[]) {
    if (copy[key] === undefined) delete copy[key];
  }
  return copy;
}
