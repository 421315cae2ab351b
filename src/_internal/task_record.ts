/**
 * The manager's record of one task, and its snapshot view.
 *
 * @module
 */

import type { TaskSnapshot, TaskState } from "../events.ts";
import type { Stage, TaskType } from "../task_type.ts";
import type { StageFn, Stages } from "./stages.ts";
import { describe } from "./render.ts";
import { EPOCH, stamp } from "./clock.ts";

/** Marks "no failure yet": a task may fail with `undefined`. */
export const NO_ERROR: unique symbol = Symbol("no error");

// A record's facts that take few values share one small integer, `flags`:
// bits 0-1 its type, 2-5 four yes/no facts, 6-8 its state, 9-10 the stage
// in flight. A manager holds one record per task for as long as it runs, and
// every field is 8 bytes of every idle task (docs/runtime-notes.md).
const TYPES: readonly TaskType[] = ["strict", "error", "stop-group"];
const STATES: readonly TaskState[] = [
  "pending",
  "initializing",
  "running",
  "restarting",
  "stopping",
  "cleaning",
  "stopped",
  "failed",
];
/** Index 0 is "no stage in flight". */
const STAGES: readonly (Stage | undefined)[] = [
  undefined,
  "initialize",
  "execute",
  "cleanup",
];
const TYPE_BITS = 0b11;
const DYNAMIC = 1 << 2;
const CLEANUP_OWED = 1 << 3;
const FAILED = 1 << 4;
const RESTARTS = 1 << 5;
const STATE_SHIFT = 6;
const STATE_BITS = 0b111 << STATE_SHIFT;
const STAGE_SHIFT = 9;
const STAGE_BITS = 0b11 << STAGE_SHIFT;

/** One task added to a manager. */
export class TaskRecord {
  readonly name: string;
  readonly self: unknown;
  readonly execute: StageFn;
  readonly initialize: StageFn | undefined;
  readonly cleanup: StageFn | undefined;
  controller: AbortController | undefined = undefined;
  /** When it entered its `state`, as {@linkcode stamp} gives it. */
  since: number;
  #flags: number;

  /** A record for a task just validated. */
  constructor(
    name: string,
    type: TaskType,
    stages: Stages,
    restarts: boolean,
    dynamic: boolean,
  ) {
    this.name = name;
    this.self = stages.self;
    this.execute = stages.execute;
    this.initialize = stages.initialize;
    this.cleanup = stages.cleanup;
    this.since = stamp();
    // A task added while running starts at once: one stamp, not two.
    const state = dynamic ? "running" : "pending";
    this.#flags = TYPES.indexOf(type) | (dynamic ? DYNAMIC : 0) |
      (restarts ? RESTARTS : 0) | (STATES.indexOf(state) << STATE_SHIFT);
  }

  /** It has a restart policy (the manager holds its budget). */
  get restarts(): boolean {
    return (this.#flags & RESTARTS) !== 0;
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

  get state(): TaskState {
    return STATES[(this.#flags & STATE_BITS) >> STATE_SHIFT];
  }

  set state(state: TaskState) {
    this.#flags = (this.#flags & ~STATE_BITS) |
      (STATES.indexOf(state) << STATE_SHIFT);
  }

  /** The stage in flight (`execute` covers a restart's wait too), if any. */
  get inFlight(): Stage | undefined {
    return STAGES[(this.#flags & STAGE_BITS) >> STAGE_SHIFT];
  }

  set inFlight(stage: Stage | undefined) {
    this.#flags = (this.#flags & ~STAGE_BITS) |
      (STAGES.indexOf(stage) << STAGE_SHIFT);
  }
}

/**
 * The record as plain data, with its last failure (`NO_ERROR` for none)
 * rendered so that `JSON.stringify` shows it, and its restarts so far.
 */
export function snapshotOf(
  record: TaskRecord,
  lastError: unknown,
  restarts: number,
): TaskSnapshot {
  const view: TaskSnapshot = {
    name: record.name,
    type: record.type,
    state: record.state,
    since: EPOCH + record.since,
    restarts,
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
