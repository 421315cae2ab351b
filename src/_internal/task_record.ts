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
import { EPOCH, stamp } from "./clock.ts";

/** Marks "no failure yet": a task may fail with `undefined`. */
export const NO_ERROR: unique symbol = Symbol("no error");

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
  /** When it entered `state`, as {@linkcode stamp} gives it. */
  since: number;
  /** The stage in flight (`execute` covers a restart's wait too), if any. */
  inFlight: Stage | undefined;
  /** Its initialize had its turn and no cleanup has followed yet. */
  cleanupOwed: boolean;
  /** It has a `TaskError`. */
  failed: boolean;
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
    // A task added while running starts at once: one stamp, not two.
    state: dynamic ? "running" : "pending",
    since: stamp(),
    inFlight: undefined,
    cleanupOwed: false,
    failed: false,
    budget: restart && new RestartBudget(restart),
  };
}

/**
 * The record as plain data, with its last failure (`NO_ERROR` for none)
 * rendered so that `JSON.stringify` shows it.
 */
export function snapshotOf(
  record: TaskRecord,
  lastError: unknown,
): TaskSnapshot {
  const view: TaskSnapshot = {
    name: record.name,
    type: record.type,
    state: record.state,
    since: EPOCH + record.since,
    restarts: record.budget?.restarts ?? 0,
  };
  if (lastError !== NO_ERROR) view.lastError = plain(lastError);
  return view;
}

/** An error as `{ name, message }`; other objects as text; primitives as they are. */
function plain(value: unknown): unknown {
  try {
    return plainValue(value);
  } catch { // a Proxy whose traps throw, say: describe copes with anything
    return describe(value);
  }
}

function plainValue(value: unknown): unknown {
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
