/**
 * The manager's plain record of one task, and its snapshot view.
 *
 * @module
 */

import type { TaskSnapshot, TaskState } from "../events.ts";
import type { Stage, TaskType } from "../task_type.ts";
import { RestartBudget } from "./restart_budget.ts";
import type { StageFn, Stages } from "./stages.ts";
import type { RestartConfig } from "./task_options.ts";
import { describe } from "./render.ts";

/** Marks "no failure yet": a task may fail with `undefined`. */
export const NO_ERROR: unique symbol = Symbol("no error");

/** How an awaited stage ended. */
export type Outcome = typeof SETTLED | typeof TIMED_OUT | { error: unknown };
/** The stage resolved or returned. */
export const SETTLED: unique symbol = Symbol("settled");
/** The shutdown deadline passed first; the stage is abandoned. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/** One task added to a manager. */
export interface TaskRecord {
  readonly name: string;
  readonly type: TaskType;
  readonly self: unknown;
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
  /** Added while the manager ran: listed only while in flight. */
  readonly dynamic: boolean;
  controller: AbortController | undefined;
  state: TaskState;
  since: number;
  /** Attempts begun; the first `execute` is attempt 1. */
  attempt: number;
  restarts: number;
  lastError: unknown;
  /** The stage in flight (`execute` covers a restart's wait too), if any. */
  inFlight: Stage | undefined;
  /** Its initialize had its turn and no cleanup has followed yet. */
  cleanupOwed: boolean;
  /** It has a `TaskError`. */
  failed: boolean;
  /** Ends the wait for the stage in flight (the deadline, a cleanup's timeout). */
  wake: ((outcome: Outcome) => void) | undefined;
  /** Restart policy and state; undefined for a `temporary` task. */
  readonly budget: RestartBudget | undefined;
}

/** A new record for a task just validated. */
export function newRecord(
  name: string,
  type: TaskType,
  stages: Stages,
  restart: RestartConfig | undefined,
  dynamic: boolean,
): TaskRecord {
  return {
    name,
    type,
    self: stages.self,
    execute: stages.execute,
    initialize: stages.initialize,
    cleanup: stages.cleanup,
    dynamic,
    controller: undefined,
    state: "pending",
    since: Date.now(),
    attempt: 0,
    restarts: 0,
    lastError: NO_ERROR,
    inFlight: undefined,
    cleanupOwed: false,
    failed: false,
    wake: undefined,
    budget: restart && new RestartBudget(restart),
  };
}

/** The record as plain data; a failure rendered so `JSON.stringify` shows it. */
export function snapshotOf(record: TaskRecord): TaskSnapshot {
  const view: TaskSnapshot = {
    name: record.name,
    type: record.type,
    state: record.state,
    since: record.since,
    restarts: record.restarts,
  };
  if (record.lastError !== NO_ERROR) view.lastError = plain(record.lastError);
  return view;
}

/** An error as `{ name, message }`; other objects as text; primitives as they are. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    let name = "Error";
    try {
      name = String(value.name);
    } catch { /* a throwing getter: keep the default */ }
    return { name, message: describe(value) };
  }
  if (
    value !== null && (typeof value === "object" || typeof value === "function")
  ) {
    return describe(value);
  }
  return typeof value === "bigint" || typeof value === "symbol"
    ? String(value)
    : value;
}
