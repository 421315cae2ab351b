/**
 * The invariants the property tests hold a TaskManager with restart
 * policies to (DESIGN.md "Restart policies", "Observability", "Draining").
 * Programs with restarts are not checked by the exact model of
 * `property_model.ts`; this checker replays the log of their run (see
 * `property_harness.ts`) instead, takes each stop from the log, checks that
 * it had a reason, and predicts the rest from there:
 *
 * - per task, `initialize` and `cleanup` calls alternate, starting with
 *   `initialize`, and every `initialize` attempted gets exactly one
 *   `cleanup` (at a restart, or in the final reverse-order cleanup); a
 *   restart calls `cleanup`, waits, then `initialize` and `execute` with the
 *   same signal;
 * - a restart happens exactly for the right policy and outcome, before the
 *   stop, within the intensity limit (the window and the `resetAfter` count
 *   are computed here again from DESIGN.md), with a delay in [d(1 − jitter),
 *   d], and the next attempt comes no earlier than the delay after the
 *   restart's cleanup; escalation is one TaskError with a
 *   RestartIntensityError whose cause is the last failure;
 * - restarts are not TaskErrors; the errors are exactly the failures that
 *   happened, each with a `taskerror` event before `run` resolves; per task,
 *   events come as `taskstart`, `taskstop`, then `taskrestart` for the
 *   attempt that ended; the manager's states go in order, and it stops only
 *   for a reason (draining first for a stop from outside);
 * - timers: only the deadline, drain, cleanup, backoff and event-loop-yield
 *   timers; a stop clears backoff waits at once; none is left when `run`
 *   resolves; the snapshot then shows every task stopped or failed (failed
 *   iff it has a TaskError) with its restarts;
 * - `run` resolves (never rejects) unless a stage it waits for never
 *   settles.
 *
 * It also runs on goasync's programs that listen to events, as a second
 * opinion next to the exact model.
 *
 * @module
 */

import {
  type ManagerState,
  RestartIntensityError,
  ShutdownTimeoutError,
  TaskError,
} from "../../mod.ts";
import type {
  LogEvent,
  ManagerEvent,
  RunRecord,
  StageName,
} from "./property_harness.ts";
import { replay, show, Violation } from "./property_model.ts";
import {
  allowedNext,
  type Expect,
  type Failure,
  matches,
  Task,
} from "./property_restart_task.ts";

/** What a run did, for the coverage statistics. */
export interface InvariantSummary {
  counts: Record<string, number>;
}

const NEXT_STATES: Record<ManagerState, ManagerState[]> = {
  idle: ["initializing"],
  initializing: ["running", "stopping"],
  running: ["draining", "stopping"],
  draining: ["stopping"],
  stopping: ["stopped"],
  stopped: [],
};

type TimerRole = "deadline" | "drain" | "cleanup" | "backoff" | "yield";

interface TimerInfo {
  role: TimerRole;
  task?: Task;
  state: "pending" | "cleared" | "fired";
}

/** Checks one run's log; returns what it exercised, or throws a Violation. */
export function checkInvariants(run: RunRecord): InvariantSummary {
  return replay(run, new Checker(run));
}

class Checker {
  readonly #run: RunRecord;
  readonly #timeout: number | undefined;
  readonly #drainDelay: number;
  readonly #tasks: Task[] = [];
  /** Tasks added before execution started, in order. */
  readonly #list: Task[] = [];
  #state: ManagerState = "idle";
  #time = 0;
  #settled = false;
  #stopGroupLeft = 0;
  #startCursor = 0;
  #initInFlight: Task | undefined;
  /** A stop asked before run: run stops at once. */
  #pendingOutside = false;
  #stopDue: string | undefined;
  #drainDue = false;
  #expectTimer: { role: "deadline" | "drain"; ms: number } | undefined;
  #stopReason: { value: unknown } | undefined;
  readonly #timers = new Map<number, TimerInfo>();
  #finalOrder: Task[] | undefined;
  #finalCursor = 0;
  #finalInFlight: Task | undefined;
  #finalTimer: number | undefined;
  #finalTimedOut: Task | undefined;
  readonly #calls: { task: Task; stage: StageName }[] = [];
  readonly #adds: {
    task: Task;
    predicted: "type-error" | "throw" | "queue" | "start";
  }[] = [];
  /** The TaskErrors dispatched, in order. */
  readonly #errorEvents: unknown[] = [];
  #disposeDone: boolean | undefined;
  /** A copy of the array run resolved with, as it was then. */
  #resolvedWith: unknown[] | undefined;
  readonly #counts: Record<string, number> = {};

  constructor(run: RunRecord) {
    this.#run = run;
    this.#timeout = run.program.shutdownTimeout;
    this.#drainDelay = run.program.drainDelay ?? 0;
  }

  #count(key: string): void {
    this.#counts[key] = (this.#counts[key] ?? 0) + 1;
  }

  get #stopping(): boolean {
    return this.#state === "stopping" || this.#state === "stopped";
  }

  feed(event: LogEvent): void {
    this.#time = event.time;
    if (this.#expectTimer && event.t !== "timer-set") {
      fail(`the manager did not set its ${this.#expectTimer.role} timer`);
    }
    if (
      (this.#stopDue !== undefined || this.#drainDue) && event.t !== "ev" &&
      event.t !== "timer-clear"
    ) {
      fail(
        this.#drainDue
          ? "a stop was asked from outside while running, but the manager did not drain"
          : `the manager did not stop after ${this.#stopDue}`,
      );
    }
    if (this.#settled && event.t === "ev") {
      fail(`the manager dispatched ${event.type} after run resolved`);
    }
    switch (event.t) {
      case "add":
        return this.#onAdd(event.id);
      case "add-done":
        return this.#onAddDone(event.id, event.threw, event.error);
      case "call":
        return this.#onCall(event);
      case "return":
        return this.#onReturn(event.id, event.stage, event.how, event.value);
      case "settle":
        this.#task(event.id).settles.set(event.stage, {
          ok: event.ok,
          value: event.value,
        });
        return;
      case "obs":
        return this.#onObserved(event.id, event.stage, event.ok, event.value);
      case "abort":
        return this.#onAbort(event.id, event.kind, event.reason);
      case "caller-abort":
        return this.#outsideStop("the caller's abort");
      case "stop-call":
        this.#count("stop() calls");
        return this.#outsideStop("stop()");
      case "stop-done":
        if (event.threw) fail(`stop() threw ${show(event.error)}`);
        return;
      case "dispose-call":
        this.#count("disposed by the harness");
        if (
          this.#state === "initializing" || this.#state === "running" ||
          this.#state === "draining"
        ) this.#stopDue = "asyncDispose";
        return;
      case "dispose-done":
        if (!event.ok) fail("[Symbol.asyncDispose]() rejected");
        if (!this.#settled) {
          fail("[Symbol.asyncDispose]() resolved before run did");
        }
        this.#disposeDone = true;
        return;
      case "timer-set":
        return this.#onTimerSet(event.timer, event.ms);
      case "timer-clear": {
        const timer = this.#timers.get(event.timer);
        if (timer?.state === "pending") timer.state = "cleared";
        return;
      }
      case "timer-fire":
        return this.#onTimerFire(event.timer);
      case "step":
        return this.#onStep();
      case "decoy":
        fail(
          `the manager called ${event.stage} of ${
            this.#task(event.id).name
          }, added with addExecuteTask`,
        );
        return;
      case "ev":
        return this.#onManagerEvent(event);
      case "settled":
        return this.#onSettled(event);
    }
  }

  // --- adding and stopping ------------------------------------------------

  #onAdd(id: number): void {
    const task = new Task(this.#run.tasks[id]);
    this.#tasks[id] = task;
    const api = task.record.spec.api;
    let predicted: "type-error" | "throw" | "queue" | "start";
    if (task.refused) predicted = "type-error";
    else if (api === "addTask") {
      predicted = this.#state === "idle" ? "queue" : "throw";
    } else if (this.#stopping) predicted = "throw";
    else if (this.#state === "running" || this.#state === "draining") {
      predicted = "start";
    } else predicted = "queue";
    if (predicted === "queue") {
      task.static = true;
      this.#list.push(task);
      if (task.type === "stop-group") this.#stopGroupLeft++;
    }
    this.#adds.push({ task, predicted });
  }

  #onAddDone(id: number, threw: boolean, error: unknown): void {
    const add = this.#adds.pop();
    if (add?.task.record.id !== id) fail("add events out of order");
    const { task, predicted } = add!;
    const api = `${task.record.spec.api}(${task.name})`;
    if (predicted === "type-error") {
      if (!threw || !(error instanceof TypeError)) {
        fail(`${api} with bad options did not throw a TypeError`);
      }
      task.phase = "refused";
      this.#count("bad options refused");
      return;
    }
    if (predicted === "throw") {
      if (!threw) {
        fail(`${api} did not throw, though the manager is ${this.#state}`);
      }
      if (!(error instanceof Error) || error instanceof TypeError) {
        fail(`${api} threw ${show(error)}, not a plain Error`);
      }
      task.phase = "refused";
      return;
    }
    if (threw) fail(`${api} threw ${show(error)}`);
    if (predicted === "start" && task.phase === "new") {
      fail(`${task.name}, added while ${this.#state}, did not start at once`);
    }
  }

  /** A stop asked from outside: the run signal, or `stop()`. */
  #outsideStop(what: string): void {
    switch (this.#state) {
      case "idle":
        this.#pendingOutside = true;
        return;
      case "initializing":
        this.#stopDue = what;
        return;
      case "running":
        if (this.#drainDelay > 0) this.#drainDue = true;
        else this.#stopDue = what;
        return;
    }
  }

  #onStateChange(from: unknown, to: unknown): void {
    if (from !== this.#state) {
      fail(`statechange from ${show(from)}, but the state was ${this.#state}`);
    }
    const next = to as ManagerState;
    if (!NEXT_STATES[this.#state].includes(next)) {
      fail(`the manager went from ${this.#state} to ${show(to)}`);
    }
    this.#state = next;
    switch (next) {
      case "initializing":
        if (this.#pendingOutside) this.#stopDue = "a stop asked before run";
        else this.#visitFrom(0);
        return;
      case "running":
        for (const task of this.#list) {
          if (task.phase !== "ready") {
            fail(`the manager ran with ${task.name} in phase ${task.phase}`);
          }
        }
        return;
      case "draining":
        if (!this.#drainDue) {
          fail("the manager drained without a stop from outside");
        }
        this.#drainDue = false;
        this.#count("drains");
        this.#expectTimer = { role: "drain", ms: this.#drainDelay };
        return;
      case "stopping":
        if (this.#stopDue === undefined) {
          fail("the manager stopped, but no stop condition happened");
        }
        this.#stopDue = undefined;
        if (this.#timeout !== undefined) {
          this.#expectTimer = { role: "deadline", ms: this.#timeout };
        }
        return;
      case "stopped":
        return;
    }
  }

  /** The initialization loop reached `index`: visit tasks up to an initialize. */
  #visitFrom(index: number): void {
    for (let i = index; i < this.#list.length; i++) {
      const task = this.#list[i];
      if (task.hasInit) return;
      task.cleanupOwed = true;
      task.phase = "ready";
    }
  }

  // --- stages -------------------------------------------------------------

  #onCall(event: Extract<LogEvent, { t: "call" }>): void {
    const task = this.#task(event.id);
    const { stage } = event;
    const what = `${stage} of ${task.name}`;
    if (
      task.record.spec.shape === "object" && event.self !== task.record.task
    ) {
      fail(`${what} was not called on its task object`);
    }
    if (!(event.signal instanceof AbortSignal)) {
      fail(`${what} got ${show(event.signal)}, no AbortSignal`);
    }
    const signal = event.signal as AbortSignal;
    this.#resolveDeferred(task);
    if (event.abortedAtCall) fail(`${what} was called with an aborted signal`);
    if (task.queue.length) {
      fail(
        `${what} was called before the ${
          task.queue[0].type
        } event of its last stage`,
      );
    }
    const letter = stage[0].toUpperCase();
    if (!allowedNext(task).includes(letter)) {
      fail(
        `initialize and cleanup of ${task.name} do not alternate: ${task.letters} then ${letter} (${what})`,
      );
    }
    task.letters += letter;
    task.settles.delete(stage);
    const index = task.counts[stage]++;
    this.#calls.push({ task, stage });
    if (stage === "cleanup") {
      if (signal === task.signal) fail(`${what} got its task's signal`);
      if (task.phase === "cleanup") {
        task.restartCleanupCalled = true;
        task.cleanupOwed = false;
      } else this.#finalCleanupCalled(task);
      task.pending = { stage, index };
      return;
    }
    if (this.#stopping) fail(`${what} was called after the stop`);
    if (task.phase === "cleanup" && !task.restartCleanupCalled) {
      fail(`${task.name} was restarted without calling its cleanup first`);
    }
    if (task.signal === undefined) task.signal = signal;
    else if (task.signal !== signal) fail(`${what} got another signal`);
    if (stage === "initialize") {
      if (task.phase === "new" && task.static) {
        if (this.#state !== "initializing") {
          fail(`${what} was called while ${this.#state}`);
        }
        if (this.#initInFlight) {
          fail(
            `${what} was called while initialize of ${this.#initInFlight.name} ran`,
          );
        }
        const at = this.#list.indexOf(task);
        for (const before of this.#list.slice(0, at)) {
          if (before.phase !== "ready") {
            fail(`${what} was called before ${before.name} was initialized`);
          }
        }
        this.#initInFlight = task;
        task.cleanupOwed = true;
        task.phase = "init";
      } else if (task.phase === "backoff") {
        this.#restartBegins(task, what);
        task.phase = "reinit";
      } else fail(`${what} was called in phase ${task.phase}`);
      task.pending = { stage, index };
      return;
    }
    // execute
    const add = this.#adds.at(-1);
    if (task.phase === "new" && add?.task === task) {
      if (add.predicted !== "start") {
        fail(`${what} was called while it was being added`);
      }
      this.#count("tasks started while running");
    } else if (task.phase === "ready") {
      if (this.#state !== "running" && this.#state !== "draining") {
        fail(`${what} was called while ${this.#state}`);
      }
      if (this.#list[this.#startCursor] !== task) {
        fail(
          `${what} was called out of order (expected ${
            this.#list[this.#startCursor]?.name
          })`,
        );
      }
      this.#startCursor++;
    } else if (task.phase === "backoff" && !task.hasInit) {
      this.#restartBegins(task, what);
    } else if (task.phase !== "exec-due") {
      fail(`${what} was called in phase ${task.phase}`);
    }
    if (task.attempt === 0) task.attempt = 1;
    task.phase = "exec";
    if (task.ledger) task.ledger.startedAt = this.#time;
    task.pending = { stage, index };
    task.queue.push({ type: "taskstart", attempt: task.attempt });
  }

  /** The first call of a restarted attempt: after the backoff delay. */
  #restartBegins(task: Task, what: string): void {
    if (task.delay === undefined) fail(`${what} came before its taskrestart`);
    if (task.delay! > 0 && !task.backoffFired) {
      fail(`${what} came before its backoff timer fired`);
    }
    if (this.#time < task.backoffStart + task.delay!) {
      fail(
        `${what} came at ${this.#time} ms, before the backoff of ${task.delay} ms from ${task.backoffStart} ms`,
      );
    }
    if (this.#time < task.failTime + task.minDelay) {
      fail(
        `${what} came at ${this.#time} ms, less than d(1 - jitter) = ${task.minDelay} ms after the failure at ${task.failTime} ms`,
      );
    }
    task.cleanupOwed = true;
    task.delay = undefined;
    task.backoffFired = false;
    task.backoffTimer = undefined;
  }

  #finalCleanupCalled(task: Task): void {
    const what = `cleanup of ${task.name}`;
    if (!this.#stopping) fail(`${what} was called before the stop`);
    for (const other of this.#tasks) if (other) this.#resolveDeferred(other);
    const busy = this.#tasks.find((t) => t?.inFlight(true));
    if (busy) {
      fail(`${what} was called while ${busy.name} was in ${busy.phase}`);
    }
    const deadline = [...this.#timers.values()].find((t) =>
      t.role === "deadline" && t.state === "pending"
    );
    if (deadline) fail(`${what} was called with the shutdown deadline pending`);
    if (this.#finalInFlight) {
      fail(
        `${what} was called while cleanup of ${this.#finalInFlight.name} ran`,
      );
    }
    if (this.#finalTimedOut) {
      fail(
        `the signal of the timed-out cleanup of ${this.#finalTimedOut.name} was not aborted`,
      );
    }
    this.#finalOrder ??= this.#list
      .filter((t) => t.hasCleanup && t.cleanupOwed)
      .reverse();
    const next = this.#finalOrder[this.#finalCursor];
    if (next !== task) {
      fail(
        `${what} was called out of order (expected ${next?.name ?? "none"})`,
      );
    }
    this.#finalCursor++;
    task.cleanupOwed = false;
    task.phase = "final";
    this.#finalInFlight = task;
    this.#count("final cleanups");
  }

  #onReturn(
    id: number,
    stage: StageName,
    how: "ok" | "throw" | "promise",
    value: unknown,
  ): void {
    const call = this.#calls.pop();
    const task = this.#task(id);
    if (call?.task !== task || call.stage !== stage) {
      fail("return events out of order");
    }
    if (how === "promise") return;
    task.pending = undefined;
    if (
      how === "throw" && (task.phase === "cleanup" || task.phase === "reinit")
    ) {
      task.deferred = { stage, value };
      return;
    }
    this.#ended(task, stage, how === "ok", value);
  }

  #onObserved(id: number, stage: StageName, ok: boolean, value: unknown): void {
    const task = this.#task(id);
    if (task.pending?.stage !== stage) {
      if (task.abandoned.has(stage)) return; // late: no longer waited for
      fail(`the manager saw ${stage} of ${task.name} settle twice`);
    }
    const settle = task.settles.get(stage);
    if (settle === undefined) {
      fail(`the manager saw ${stage} of ${task.name} settle before it did`);
    }
    if (settle!.ok !== ok || (!ok && !Object.is(settle!.value, value))) {
      fail(`the manager saw ${stage} of ${task.name} settle differently`);
    }
    task.pending = undefined;
    if (!ok && (task.phase === "cleanup" || task.phase === "reinit")) {
      task.deferred = { stage, value };
      return;
    }
    this.#ended(task, stage, ok, value);
  }

  #resolveDeferred(task: Task): void {
    const deferred = task.deferred;
    if (deferred === undefined) return;
    task.deferred = undefined;
    this.#ended(task, deferred.stage, false, deferred.value);
  }

  /** What the manager must do once `stage` of `task` has ended. */
  #ended(task: Task, stage: StageName, ok: boolean, value: unknown): void {
    const failure: Failure = ok ? { kind: "none" } : { kind: "is", value };
    const echo = !ok && task.aborted && this.#isEcho(value, task);
    if (echo) this.#count("abort echoes ignored");
    switch (task.phase) {
      case "init": // the first initialize, during run's initialization
        this.#initInFlight = undefined;
        if (ok && !this.#stopping) {
          task.phase = "ready";
          this.#visitFrom(this.#list.indexOf(task) + 1);
          return;
        }
        task.phase = "ended";
        if (!ok && !echo) this.#error(task, "initialize", failure);
        return;
      case "exec":
        return this.#executeEnded(task, ok, echo ? { kind: "none" } : failure);
      case "cleanup":
      case "reinit":
        if (ok) {
          if (this.#stopping) task.phase = "ended";
          else if (task.phase === "cleanup") {
            task.phase = "backoff";
            task.backoffStart = this.#time;
          } else task.phase = "exec-due";
          return;
        }
        this.#count(`restart ${stage} failures`);
        if (!task.aborted) return this.#restartOrEscalate(task, failure);
        task.phase = "ended";
        if (!echo) {
          this.#count(`restart ${stage} failures after the stop`);
          this.#error(task, stage, failure);
        }
        return;
      case "final":
        task.phase = "done";
        this.#finalInFlight = undefined;
        this.#finalTimer = undefined; // cleared: the timer-clear event says so
        if (!ok) this.#error(task, "cleanup", failure);
        return;
      default:
        fail(`${stage} of ${task.name} ended in phase ${task.phase}`);
    }
  }

  #executeEnded(task: Task, ok: boolean, thrown: Failure): void {
    const config = task.config;
    let failure = thrown;
    if (ok && !task.aborted && (task.type === "strict" || config?.permanent)) {
      failure = { kind: "unexpected" };
      this.#count("unexpected stops");
    }
    const endsGroup = failure.kind === "none" && !task.aborted &&
      task.type === "stop-group" && --this.#stopGroupLeft === 0;
    task.queue.push({
      type: "taskstop",
      attempt: task.attempt,
      failure,
      endsGroup,
    });
    const restart = !task.aborted && failure.kind !== "none" &&
      config !== undefined && (!ok || config.permanent);
    if (restart) {
      if (ok) this.#count("restarts after a return");
      return this.#restartOrEscalate(task, failure);
    }
    task.phase = "ended";
    if (failure.kind !== "none") this.#error(task, "execute", failure);
  }

  #restartOrEscalate(task: Task, cause: Failure): void {
    const decision = task.ledger!.decide(this.#time);
    if (!decision.restart) {
      this.#count("escalations");
      task.phase = "ended";
      this.#error(task, "execute", cause, {
        recent: decision.recent,
        within: task.config!.within,
      });
      return;
    }
    if (decision.reset) this.#count("resetAfter resets");
    task.queue.push({
      type: "taskrestart",
      attempt: task.attempt,
      cause,
      min: decision.min,
      full: decision.full,
    });
    task.attempt++;
    task.failTime = this.#time;
    task.minDelay = decision.min;
    task.backoffStart = this.#time;
    task.backoffFired = false;
    task.restartCleanupCalled = false;
    task.phase = task.hasCleanup && task.cleanupOwed ? "cleanup" : "backoff";
  }

  #error(
    task: Task,
    stage: StageName,
    cause: Failure,
    intensity?: { recent: number; within: number },
  ): void {
    task.queue.push({ type: "taskerror", stage, cause, intensity });
  }

  #isEcho(value: unknown, task: Task): boolean {
    if (Object.is(value, task.abortReason)) return true;
    try {
      return typeof value === "object" && value !== null &&
        (value as { name?: unknown }).name === "AbortError";
    } catch {
      return false;
    }
  }

  #onAbort(id: number, kind: "task" | "cleanup", reason: unknown): void {
    const task = this.#task(id);
    if (kind === "cleanup") {
      if (this.#finalTimedOut !== task) {
        fail(
          `a cleanup signal of ${task.name} aborted, though no cleanup timed out`,
        );
      }
      if (!(reason instanceof ShutdownTimeoutError)) {
        fail(`the cleanup signal of ${task.name} aborted with ${show(reason)}`);
      }
      this.#finalTimedOut = undefined;
      return;
    }
    if (!this.#stopping) {
      fail(
        `the signal of ${task.name} aborted, but the manager had not stopped`,
      );
    }
    if (this.#stopReason === undefined) this.#stopReason = { value: reason };
    else if (!Object.is(this.#stopReason.value, reason)) {
      fail(`the signal of ${task.name} aborted with another reason`);
    }
    task.aborted = true;
    task.abortReason = reason;
    if (task.phase === "backoff" && task.backoffTimer !== undefined) {
      this.#count("stops during a backoff wait");
    }
  }

  // --- events -------------------------------------------------------------

  #onManagerEvent(event: ManagerEvent): void {
    if (event.type === "statechange") {
      return this.#onStateChange(event.from, event.to);
    }
    if (event.type === "taskerror") {
      return this.#onTaskError(event.taskError, event.view);
    }
    const task = this.#byName(event.name);
    this.#resolveDeferred(task);
    const head = task.queue.shift();
    const what = `${event.type} of ${task.name} (attempt ${event.attempt})`;
    if (head === undefined || head.type !== event.type) {
      fail(
        `unexpected ${what}; expected ${
          head ? `${head.type} first` : "no event"
        }`,
      );
    }
    const expected = head as Exclude<Expect, { type: "taskerror" }>;
    if (event.attempt !== expected.attempt) {
      fail(`${what}: expected attempt ${expected.attempt}`);
    }
    if (expected.type === "taskstart") {
      if (event.hasError || event.hasDelay) {
        fail(`${what} has an error or delay`);
      }
      this.#checkView(task, event.view, ["running", "stopping"], what);
      return;
    }
    const failure = expected.type === "taskstop"
      ? expected.failure
      : expected.cause;
    if (failure.kind === "none") {
      if (event.hasError) fail(`${what} has an error: ${show(event.error)}`);
    } else if (!event.hasError || !matches(failure, event.error)) {
      fail(
        `${what} has the wrong error: ${
          event.hasError ? show(event.error) : "none"
        }`,
      );
    }
    if (expected.type === "taskstop") {
      if (event.hasDelay) fail(`${what} has a delay`);
      if (expected.endsGroup) {
        this.#stopDue = "the last stop-group task returned";
      }
      return;
    }
    // taskrestart
    const delay = event.delay;
    if (
      !event.hasDelay || typeof delay !== "number" ||
      !(delay <= expected.full) ||
      !(delay >= expected.min)
    ) {
      fail(
        `${what} has delay ${
          show(delay)
        }, outside [${expected.min}, ${expected.full}]`,
      );
    }
    task.delay = delay;
    task.restarts++;
    this.#checkView(task, event.view, ["restarting"], what);
    task.restartTimes.push(this.#time);
    this.#count("restarts");
    if (delay === 0) this.#count("zero-delay restarts");
    if (delay < expected.full) this.#count("jittered delays");
    if (this.#state === "draining") this.#count("restarts while draining");
  }

  #onTaskError(error: unknown, view: ManagerEvent["view"]): void {
    if (!(error instanceof TaskError)) {
      fail(`a taskerror event carried ${show(error)}, not a TaskError`);
    }
    const taskError = error as TaskError;
    const task = this.#byName(taskError.taskName);
    this.#resolveDeferred(task);
    const head = task.queue.shift();
    const what = `TaskError of ${task.name} in ${taskError.stage} (${
      show(taskError.cause)
    })`;
    if (head?.type !== "taskerror") {
      fail(
        `unexpected ${what}; expected ${head ? head.type : "no event"}${
          task.config ? " (a restart is not a TaskError)" : ""
        }`,
      );
    }
    const expected = head as Extract<Expect, { type: "taskerror" }>;
    if (
      taskError.stage !== expected.stage || taskError.taskType !== task.type ||
      typeof taskError.message !== "string"
    ) {
      fail(`${what}: expected stage ${expected.stage}, type ${task.type}`);
    }
    if (expected.intensity) {
      const cause = taskError.cause;
      if (
        !(cause instanceof RestartIntensityError) ||
        cause.restarts !== expected.intensity.recent ||
        cause.within !== expected.intensity.within ||
        !matches(expected.cause, cause.cause)
      ) {
        fail(
          `${what}: expected a RestartIntensityError after ${expected.intensity.recent} restarts within ${expected.intensity.within} ms, caused by the last failure`,
        );
      }
    } else if (!matches(expected.cause, taskError.cause)) {
      fail(`${what}: the wrong cause`);
    }
    task.errors++;
    if (task.static) this.#checkView(task, view, ["failed"], what);
    this.#errorEvents.push(error);
    if (
      this.#state === "initializing" || this.#state === "running" ||
      this.#state === "draining"
    ) this.#stopDue = `the failure of ${task.name}`;
  }

  /**
   * The snapshot taken when `what` was dispatched (restart programs only)
   * shows the task in one of `states`, with its restarts so far.
   */
  #checkView(
    task: Task,
    view: ManagerEvent["view"],
    states: string[],
    what: string,
  ): void {
    if (this.#run.program.kind !== "restart" || view === undefined) return;
    if (view === null) {
      fail(`the snapshot at ${what} does not list ${task.name}`);
    }
    if (!states.includes(view!.state as string)) {
      fail(
        `the snapshot at ${what} shows ${task.name} ${show(view!.state)}, not ${
          states.join(" or ")
        }`,
      );
    }
    if (view!.restarts !== task.restarts) {
      fail(
        `the snapshot at ${what} shows ${
          view!.restarts
        } restarts, not ${task.restarts}`,
      );
    }
  }

  // --- timers -------------------------------------------------------------

  #onTimerSet(id: number, ms: number): void {
    const expect = this.#expectTimer;
    if (expect) {
      this.#expectTimer = undefined;
      if (ms !== expect.ms) {
        fail(`the ${expect.role} timer is ${ms} ms, not ${expect.ms} ms`);
      }
      this.#timers.set(id, { role: expect.role, state: "pending" });
      return;
    }
    const final = this.#finalInFlight;
    if (
      final?.pending !== undefined && this.#finalTimer === undefined &&
      this.#timeout !== undefined && ms === this.#timeout
    ) {
      this.#finalTimer = id;
      this.#timers.set(id, { role: "cleanup", task: final, state: "pending" });
      return;
    }
    const waiting = this.#tasks.find((task) =>
      task?.phase === "backoff" && task.delay !== undefined && task.delay > 0 &&
      task.delay === ms && task.backoffTimer === undefined
    );
    if (waiting && !this.#stopping) {
      waiting.backoffTimer = id;
      this.#timers.set(id, {
        role: "backoff",
        task: waiting,
        state: "pending",
      });
      return;
    }
    const yielding = ms === 0 &&
      this.#tasks.some((task) => task?.phase === "backoff" && task.delay === 0);
    if (yielding) {
      this.#count("event-loop yields");
      this.#timers.set(id, { role: "yield", state: "pending" });
      return;
    }
    const skipped = this.#tasks.find((task) =>
      task?.phase === "cleanup" && !task.restartCleanupCalled
    );
    if (skipped) {
      fail(`${skipped.name} was restarted without calling its cleanup first`);
    }
    fail(`the manager set an unexpected timer of ${ms} ms`);
  }

  #onTimerFire(id: number): void {
    const timer = this.#timers.get(id);
    if (timer === undefined || timer.state !== "pending") {
      fail(`timer ${id} fired, but it was not pending`);
    }
    timer!.state = "fired";
    switch (timer!.role) {
      case "drain":
        this.#stopDue = "the drain delay";
        return;
      case "backoff":
        if (timer!.task!.backoffTimer === id) timer!.task!.backoffFired = true;
        return;
      case "deadline":
        return this.#onDeadline();
      case "cleanup":
        return this.#onCleanupDeadline(timer!.task!);
      case "yield":
        return;
    }
  }

  #onDeadline(): void {
    for (const task of this.#tasks) {
      const pending = task?.pending;
      if (pending === undefined || task.phase === "final") continue;
      const timeout: Failure = { kind: "timeout" };
      task.abandoned.add(pending.stage);
      task.pending = undefined;
      if (task.phase === "init") this.#initInFlight = undefined;
      if (pending.stage === "execute") {
        task.queue.push({
          type: "taskstop",
          attempt: task.attempt,
          failure: timeout,
          endsGroup: false,
        });
      }
      this.#count(`${pending.stage} timeouts`);
      this.#error(task, pending.stage, timeout);
      task.phase = "ended";
    }
  }

  #onCleanupDeadline(task: Task): void {
    if (this.#finalInFlight !== task || task.pending === undefined) {
      fail(
        `the cleanup deadline of ${task.name} fired after its cleanup ended`,
      );
    }
    this.#finalTimer = undefined;
    task.abandoned.add("cleanup");
    task.pending = undefined;
    task.phase = "done";
    this.#finalInFlight = undefined;
    this.#finalTimedOut = task;
    this.#count("cleanup timeouts");
    this.#error(task, "cleanup", { kind: "timeout" });
  }

  // --- turns and the end --------------------------------------------------

  /** A new turn: all that was due synchronously must have happened. */
  #onStep(): void {
    for (const task of this.#tasks) if (task) this.#resolveDeferred(task);
    for (const task of this.#tasks) {
      if (!task) continue;
      const head = task.queue[0];
      if (head) {
        fail(
          `the manager never dispatched the ${head.type} event of ${task.name}`,
        );
      }
      if (task.phase === "cleanup" && !task.restartCleanupCalled) {
        fail(`${task.name} was restarted without calling its cleanup first`);
      }
      if (this.#stopping) {
        const live = task.static ? task.signal !== undefined : (
          task.inFlight(false) || task.phase === "backoff"
        );
        if (live && !task.aborted) {
          fail(
            `the manager stopped but did not abort the signal of ${task.name}`,
          );
        }
        continue;
      }
      if (
        task.phase === "backoff" && task.delay !== undefined && task.delay > 0
      ) {
        if (task.backoffTimer === undefined) {
          fail(`${task.name} waits for its restart without a timer`);
        }
        if (task.backoffFired) {
          fail(`${task.name} was not restarted after its backoff timer fired`);
        }
      }
    }
    if (this.#stopping) {
      for (const timer of this.#timers.values()) {
        if (timer.state !== "pending") continue;
        if (timer.role === "backoff") {
          fail(
            `the backoff timer of ${
              timer.task!.name
            } was not cleared at the stop`,
          );
        }
        if (timer.role === "drain") {
          fail("the drain timer was not cleared at the stop");
        }
      }
    } else if (
      (this.#state === "running" || this.#state === "draining") &&
      this.#startCursor < this.#list.length
    ) {
      fail(`execute of ${this.#list[this.#startCursor].name} was never called`);
    }
  }

  #onSettled(event: Extract<LogEvent, { t: "settled" }>): void {
    if (!event.ok) fail(`run rejected with ${show(event.value)}`);
    if (this.#state !== "stopped") fail(`run resolved while ${this.#state}`);
    for (const task of this.#tasks) if (task) this.#resolveDeferred(task);
    for (const task of this.#tasks) {
      if (!task) continue;
      if (task.inFlight(true) || task.phase === "final") {
        fail(`run resolved while ${task.name} was in ${task.phase}`);
      }
      if (task.queue.length) {
        fail(
          `run resolved before the ${task.queue[0].type} event of ${task.name}`,
        );
      }
      this.#checkAlternation(task);
    }
    const order = this.#finalOrder ?? [];
    if (this.#finalCursor < order.length) {
      fail(`run resolved before cleanup of ${order[this.#finalCursor].name}`);
    }
    if (this.#finalOrder === undefined) {
      const owed = this.#list.find((t) => t.hasCleanup && t.cleanupOwed);
      if (owed) fail(`run resolved without cleanup of ${owed.name}`);
    }
    if (this.#finalTimedOut) {
      fail(
        `the signal of the timed-out cleanup of ${this.#finalTimedOut.name} was not aborted`,
      );
    }
    this.#checkTimersAtEnd(event.pendingTimers);
    if (event.listeners !== 0) {
      fail(`${event.listeners} listener(s) left on the caller's signal`);
    }
    const errors = event.value as unknown[];
    const seen = this.#errorEvents;
    if (
      !Array.isArray(errors) || errors.length !== seen.length ||
      errors.some((error, i) => error !== seen[i])
    ) {
      fail(
        `run resolved with the wrong errors: ${
          Array.isArray(errors) ? errors.length : show(errors)
        } error(s), not the ${seen.length} TaskError(s) of the taskerror events, in order`,
      );
    }
    this.#checkSnapshot(event);
    this.#resolvedWith = event.snapshot;
    this.#settled = true;
  }

  /** Every initialize attempted got its cleanup: the sequence is complete. */
  #checkAlternation(task: Task): void {
    if (!task.hasCleanup) return;
    const letters = task.letters;
    if (letters !== "" && !letters.endsWith("C")) {
      fail(`${task.name} got no cleanup after its last attempt: ${letters}`);
    }
  }

  #checkTimersAtEnd(pendingGlobal: number): void {
    let pending = 0;
    let yields = 0;
    for (const timer of this.#timers.values()) {
      if (timer.state !== "pending") continue;
      pending++;
      if (timer.role === "yield") yields++;
      else {
        fail(
          `the ${timer.role} timer ${
            timer.task ? `of ${timer.task.name} ` : ""
          }was still pending when run resolved`,
        );
      }
    }
    if (pending !== pendingGlobal) {
      fail(
        `${pendingGlobal} timer(s) pending when run resolved, ${pending} known`,
      );
    }
    if (yields > 0) {
      fail(
        `${yields} event-loop yield timer(s) left pending when run resolved`,
      );
    }
  }

  #checkSnapshot(event: Extract<LogEvent, { t: "settled" }>): void {
    if (event.snapshotError !== undefined) {
      fail(`snapshot() threw ${show(event.snapshotError)}`);
    }
    const snapshot = event.managerSnapshot as
      | { state: string; tasks: Record<string, unknown>[] }
      | undefined;
    if (snapshot === undefined) return; // a manager without snapshot()
    if (snapshot.state !== "stopped") {
      fail(`the snapshot after run says ${show(snapshot.state)}`);
    }
    const names = snapshot.tasks.map((t) => t.name);
    const expected = this.#list.map((t) => t.name);
    if (names.join() !== expected.join()) {
      fail(`the snapshot after run lists ${names}, not ${expected}`);
    }
    snapshot.tasks.forEach((view, i) => {
      const task = this.#list[i];
      const state = task.errors > 0 ? "failed" : "stopped";
      if (view.state !== state) {
        fail(
          `the snapshot shows ${task.name} ${show(view.state)}, not ${state}`,
        );
      }
      if (view.restarts !== task.restarts) {
        fail(
          `the snapshot shows ${view.restarts} restarts of ${task.name}, not ${task.restarts}`,
        );
      }
      if (view.type !== task.type) {
        fail(`the snapshot shows the wrong type of ${task.name}`);
      }
    });
  }

  finish(): InvariantSummary {
    const run = this.#run;
    if (this.#adds.length || this.#calls.length) {
      fail("the log ended inside a call");
    }
    this.#checkWindows();
    if (run.settled) {
      const result = run.result as unknown[];
      const then = this.#resolvedWith!;
      if (
        result.length !== then.length || result.some((e, i) => e !== then[i])
      ) fail("the array run resolved with changed after run resolved");
      if (run.disposed && this.#disposeDone !== true) {
        fail("[Symbol.asyncDispose]() never resolved");
      }
      this.#count("settled");
      return { counts: this.#counts };
    }
    this.#count("hung (legitimately)");
    if (run.program.kind !== "restart" && !this.#stopping) {
      return { counts: this.#counts }; // no stop condition: the exact model decides
    }
    if (!this.#stopping) fail(`run never stopped (${this.#state})`);
    if (this.#timeout !== undefined) {
      fail("run never settled although shutdownTimeout bounds every wait");
    }
    const blocked = this.#tasks.some((task) => {
      const pending = task?.pending;
      if (pending === undefined) return false;
      const behavior = task.behavior(pending.stage, pending.index);
      return behavior?.kind === "forever" ||
        (behavior?.kind === "until-abort" && pending.stage === "cleanup");
    });
    if (!blocked) fail("run never settled, though no stage it waits for hangs");
    return { counts: this.#counts };
  }

  /** Rule 4 on the restarts seen: never more than maxRestarts within `within`. */
  #checkWindows(): void {
    for (const task of this.#tasks) {
      const config = task?.config;
      if (!config) continue;
      const times = task.restartTimes;
      times.forEach((time, i) => {
        const inWindow = times.slice(0, i + 1).filter((t) =>
          !(t <= time - config.within)
        ).length;
        if (inWindow > config.maxRestarts) {
          fail(
            `${task.name} restarted ${inWindow} times within ${config.within} ms (maxRestarts ${config.maxRestarts})`,
          );
        }
      });
    }
  }

  #task(id: number): Task {
    const task = this.#tasks[id];
    if (task === undefined) throw new Error(`harness: unknown task ${id}`);
    return task;
  }

  #byName(name: unknown): Task {
    const task = this.#tasks.find((t) => t?.name === name);
    if (task === undefined) {
      fail(`an event named an unknown task ${show(name)}`);
    }
    return task!;
  }
}

function fail(message: string): never {
  throw new Violation(message);
}
