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

/** The task types, indexed by the two low bits of a record's flags. */
const TYPES: readonly TaskType[] = ["strict", "error", "stop-group"];
const TYPE_BITS = 0b11;
const DYNAMIC = 1 << 2;
const CLEANUP_OWED = 1 << 3;
const FAILED = 1 << 4;

/**
 * One task added to a manager. A manager holds one per task for as long as
 * it runs, so its flags share one small integer: each field is 8 bytes of
 * every idle task (docs/benchmarks.md).
 */
export class TaskRecord {
  readonly name: string;
  readonly self: unknown;
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
  /** Restart policy and state; undefined for a `temporary` task. */
  readonly budget: RestartBudget | undefined;
  controller: AbortController | undefined = undefined;
  state: TaskState;
  /** When it entered `state`, as {@linkcode stamp} gives it. */
  since: number;
  /** The stage in flight (`execute` covers a restart's wait too), if any. */
  inFlight: Stage | undefined = undefined;
  #flags: number;

  /** A record for a task just validated. */
  constructor(
    name: string,
    type: TaskType,
    stages: Stages,
    restart: RestartConfig | undefined,
    dynamic: boolean,
  ) {
    this.name = name;
    this.self = stages.self;
    this.execute = stages.execute;
    this.initialize = stages.initialize;
    this.cleanup = stages.cleanup;
    this.budget = restart && new RestartBudget(restart);
    // A task added while running starts at once: one stamp, not two.
    this.state = dynamic ? "running" : "pending";
    this.since = stamp();
    this.#flags = TYPES.indexOf(type) | (dynamic ? DYNAMIC : 0);
  }

  get type(): TaskType {
    return TYPES[this.#flags & TYPE_BITS];
  }

  /** Added while the manager ran: listed only while in flight. */
  get dynamic(): boolean {
    return (this.#flags & DYNAMIC) !== 0;
  }

  /** Its initialize had its turn and no cleanup has followed yet. */
  get cleanupOwed(): boolean {
    return (this.#flags & CLEANUP_OWED) !== 0;
  }

  set cleanupOwed(owed: boolean) {
    this.#flags = owed
      ? this.#flags | CLEANUP_OWED
      : this.#flags & ~CLEANUP_OWED;
  }

  /** It has a `TaskError`. */
  get failed(): boolean {
    return (this.#flags & FAILED) !== 0;
  }

  set failed(failed: boolean) {
    this.#flags = failed ? this.#flags | FAILED : this.#flags & ~FAILED;
  }
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
