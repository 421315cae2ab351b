/**
 * One task as the restart checker (`property_restarts.ts`) follows it: its
 * options, where it is in its life, the calls of its stages, and the events
 * the manager still owes for it.
 *
 * @module
 */

import { ShutdownTimeoutError, UnexpectedStopError } from "../../mod.ts";
import { type Behavior, calledStages } from "./property_program.ts";
import type { StageName, TaskRecord } from "./property_harness.ts";
import {
  resolveRestart,
  type RestartConfig,
  RestartLedger,
} from "./property_restart_budget.ts";

/** Where a task is in its life. */
export type Phase =
  | "new"
  | "init"
  | "ready"
  | "exec"
  | "cleanup"
  | "backoff"
  | "reinit"
  | "exec-due"
  | "ended"
  | "final"
  | "done"
  | "refused";

/** A failure as the checker expects to see it in events and errors. */
export type Failure =
  | { kind: "none" }
  | { kind: "is"; value: unknown }
  /** A new error of this class; the first one seen is then the one. */
  | { kind: "unexpected" | "timeout"; seen?: { value: unknown } };

export type Expect =
  | { type: "taskstart"; attempt: number }
  | { type: "taskstop"; attempt: number; failure: Failure; endsGroup: boolean }
  | {
    type: "taskrestart";
    attempt: number;
    cause: Failure;
    min: number;
    full: number;
  }
  | {
    type: "taskerror";
    stage: StageName;
    cause: Failure;
    intensity?: { recent: number; within: number };
  };

/** Which letters may follow which, per shape: I(nitialize), E(xecute), C(leanup). */
export function allowedNext(task: Task): string {
  const last = task.letters.at(-1) ?? "";
  if (task.hasInit && task.hasCleanup) {
    return last === "" || last === "C" ? "I" : last === "I" ? "EC" : "C";
  }
  if (task.hasCleanup) {
    return last === ""
      ? "EC"
      : last === "E"
      ? "C"
      : task.letters === "C"
      ? ""
      : "E";
  }
  if (task.hasInit) return last === "E" || last === "" ? "I" : "IE";
  return "E";
}

export class Task {
  readonly record: TaskRecord;
  readonly hasInit: boolean;
  readonly hasCleanup: boolean;
  readonly config: RestartConfig | undefined;
  readonly refused: boolean;
  readonly ledger: RestartLedger | undefined;
  static = false;
  phase: Phase = "new";
  signal: AbortSignal | undefined;
  aborted = false;
  abortReason: unknown;
  letters = "";
  cleanupOwed = false;
  attempt = 0;
  restarts = 0;
  restartTimes: number[] = [];
  errors = 0;
  readonly queue: Expect[] = [];
  /** The stage call in flight: returned a promise, not yet seen to settle. */
  pending: { stage: StageName; index: number } | undefined;
  readonly counts: Record<StageName, number> = {
    initialize: 0,
    execute: 0,
    cleanup: 0,
  };
  /** Stages whose last call was abandoned at a deadline. */
  readonly abandoned = new Set<StageName>();
  readonly settles = new Map<StageName, { ok: boolean; value?: unknown }>();
  /** The restart under way: its delay, when its wait began, its timer. */
  delay: number | undefined;
  backoffStart = 0;
  failTime = 0;
  minDelay = 0;
  backoffTimer: number | undefined;
  backoffFired = false;
  restartCleanupCalled = false;
  /**
   * A restart's cleanup or initialize that failed: the manager judges it
   * (before or after the stop?) only once it has awaited the outcome, a few
   * microtasks later, and then either reacts with an event at once or, after
   * the stop, says nothing. So it is judged at the task's next event, call
   * or turn.
   */
  deferred: { stage: StageName; value: unknown } | undefined;

  constructor(record: TaskRecord) {
    this.record = record;
    const { spec } = record;
    const called = calledStages(spec);
    this.hasInit = called.hasInit;
    this.hasCleanup = called.hasCleanup;
    const config = resolveRestart(spec);
    this.refused = config === "refused";
    this.config = config === "refused" ? undefined : config;
    this.ledger = this.config && new RestartLedger(this.config);
  }

  get name(): string {
    return this.record.name;
  }

  get type(): string {
    return this.record.spec.type;
  }

  /** What call `index` of `stage` does. */
  behavior(stage: StageName, index: number): Behavior | undefined {
    const spec = this.record.spec[stage];
    return spec && (spec.calls?.[index] ?? spec.behavior);
  }

  /**
   * A stage is in flight (the manager waits for it). After the stop, a
   * restart between its stages ends without a trace in the log.
   */
  inFlight(stopping: boolean): boolean {
    return this.phase === "init" || this.phase === "exec" ||
      this.phase === "cleanup" || this.phase === "reinit" ||
      (this.phase === "exec-due" && !stopping);
  }
}

/** Whether `value` is the failure expected. */
export function matches(failure: Failure, value: unknown): boolean {
  switch (failure.kind) {
    case "none":
      return false;
    case "is":
      return Object.is(value, failure.value);
    case "unexpected":
    case "timeout": {
      if (failure.seen) return Object.is(value, failure.seen.value);
      const good = failure.kind === "unexpected"
        ? value instanceof UnexpectedStopError
        : value instanceof ShutdownTimeoutError;
      if (good) failure.seen = { value };
      return good;
    }
  }
}
