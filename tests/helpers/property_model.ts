/**
 * The model the property tests hold the TaskManager to: it replays the log of
 * one run (see `property_harness.ts`) event by event, written from
 * DESIGN.md's seven semantics, and throws a {@linkcode Violation} at the first
 * event the semantics do not allow, or at the end if something that was due
 * never happened. It checks:
 *
 * - `run` settles unless a stage it must wait for never settles (no
 *   `shutdownTimeout`) or no stop condition happened; it never rejects;
 * - initialize runs serially in the order of adding, never after a failure or
 *   the stop; execute never after an initialize failure or the stop;
 * - the manager stops exactly when a stop condition happens, and then aborts
 *   the signal of every task not yet finished, with one reason;
 * - every execute settles or is abandoned at the deadline before the first
 *   cleanup; cleanup runs exactly once for each task whose turn to initialize
 *   came, in reverse order, each on a fresh signal aborted only at its own
 *   deadline;
 * - the errors are exactly the failures that happened (task, stage, type,
 *   cause by identity), in the order the manager saw them;
 * - adding throws exactly when the manager is stopping or stopped (or, for
 *   `addTask`, running); a task added while executing starts at once;
 * - no timer and no listener on the caller's signal is left behind, and the
 *   result does not change after `run` resolved.
 *
 * @module
 */

import {
  ShutdownTimeoutError,
  TaskError,
  UnexpectedStopError,
} from "../../mod.ts";
import { calledStages, describeValue } from "./property_program.ts";
import type { Behavior } from "./property_program.ts";
import type {
  LogEvent,
  ManagerEvent,
  RunRecord,
  StageName,
  TaskRecord,
} from "./property_harness.ts";

/** A run broke one of the manager's guarantees. */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

/** What happened in a run, for the coverage statistics. */
export interface RunSummary {
  settled: boolean;
  stopped: boolean;
  stopKind?: StopKind;
  errors: number;
  unexpectedStops: number;
  timeouts: { initialize: number; execute: number; cleanup: number };
  abortEchoes: number;
  startedWhileRunning: number;
  refusedAdds: number;
  cleanups: number;
}

type StopKind = "caller" | "failure" | "strict-return" | "stop-group";
type StageState = "none" | "calling" | "pending" | "done" | "abandoned";

interface Expected {
  name: string;
  stage: StageName;
  type: string;
  cause:
    | { kind: "is"; value: unknown }
    | { kind: "unexpected-stop" }
    | { kind: "timeout" };
}

class TaskState {
  readonly record: TaskRecord;
  readonly hasInit: boolean;
  readonly hasCleanup: boolean;
  /** In the manager's ordered list (added before execution started). */
  inList = false;
  attempted = false;
  init: StageState = "none";
  exec: StageState = "none";
  cleanup: StageState = "none";
  readonly signals = new Set<AbortSignal>();
  readonly observed = new Set<StageName>();
  readonly settles = new Map<StageName, { ok: boolean; value?: unknown }>();

  constructor(record: TaskRecord) {
    this.record = record;
    const { spec } = record;
    const called = calledStages(spec);
    this.hasInit = called.hasInit;
    this.hasCleanup = called.hasCleanup;
  }

  get name(): string {
    return this.record.name;
  }

  behavior(stage: StageName): Behavior["kind"] | undefined {
    return this.record.spec[stage]?.behavior.kind;
  }
}

/** Checks one run's log; returns a summary, or throws a Violation. */
export function checkRun(run: RunRecord): RunSummary {
  return replay(run, new Model(run));
}

/**
 * Feeds every event of `run` to `checker`, then finishes it; a Violation is
 * rethrown with where it happened and the log up to there.
 */
export function replay<T>(
  run: RunRecord,
  checker: { feed(event: LogEvent): void; finish(): T },
): T {
  for (const event of run.log) {
    try {
      checker.feed(event);
    } catch (error) {
      if (error instanceof Violation) {
        throw new Violation(
          `${error.message}\n  at event #${event.seq}\n${
            renderLog(run, event.seq)
          }`,
        );
      }
      throw error;
    }
  }
  try {
    return checker.finish();
  } catch (error) {
    if (error instanceof Violation) {
      throw new Violation(
        `${error.message}\n  at the end of the run\n${renderLog(run)}`,
      );
    }
    throw error;
  }
}

// The manager's events (`ev`) may come anywhere: they are dispatched
// synchronously as things happen, the stop's own statechange included.
const FAN_OUT_EVENTS = new Set<string>([
  "abort",
  "ev",
  "add",
  "add-done",
  "caller-abort",
  "caller-abort-done",
  "settle",
  "timer-set",
]);

class Model {
  readonly #run: RunRecord;
  readonly #timeout: number | undefined;
  readonly #tasks: TaskState[] = [];
  #phase: "idle" | "init" | "start-all" | "exec" | "cleanup" | "settled" =
    "idle";
  #time = 0;
  #stopped = false;
  #stopKind: StopKind | undefined;
  #stopTime = 0;
  #stopReason: unknown = undefined;
  #stopReasonKnown = false;
  #callerAborted = false;
  #callerReason: unknown = undefined;
  #callerReasonKnown = false;
  /** The manager's ordered list of tasks: added before execution started. */
  readonly #list: TaskState[] = [];
  #initCursor = 0;
  #expectInit: TaskState | undefined;
  #inflightInit: TaskState | undefined;
  #startCursor = 0;
  /** Executes called and neither settled nor abandoned, in starting order. */
  readonly #running: TaskState[] = [];
  readonly #startedLater: TaskState[] = [];
  #stopGroupLeft = 0;
  readonly #expected: Expected[] = [];
  /** Signals that must abort before the manager does anything else. */
  readonly #awaiting = new Map<AbortSignal, TaskState>();
  readonly #timers = new Map<
    number,
    { role: "deadline" | "cleanup"; due: number; state: string }
  >();
  #deadline: number | undefined;
  #cleanupOrder: TaskState[] = [];
  #cleanupCursor = 0;
  #cleanupInFlight: TaskState | undefined;
  #cleanupTimer: number | undefined;
  #timedOutCleanup: TaskState | undefined;
  readonly #calls: { task: TaskState; stage: StageName }[] = [];
  readonly #adds: {
    task: TaskState;
    predicted: "throw" | "queue" | "start";
  }[] = [];
  #snapshot: unknown[] | undefined;
  /** Promises a stage returned on which the manager has not called `then`. */
  readonly #unattached = new Set<string>();
  readonly #summary: RunSummary = {
    settled: false,
    stopped: false,
    errors: 0,
    unexpectedStops: 0,
    timeouts: { initialize: 0, execute: 0, cleanup: 0 },
    abortEchoes: 0,
    startedWhileRunning: 0,
    refusedAdds: 0,
    cleanups: 0,
  };

  constructor(run: RunRecord) {
    this.#run = run;
    this.#timeout = run.program.shutdownTimeout;
  }

  feed(event: LogEvent): void {
    this.#time = event.time;
    if (this.#awaiting.size > 0 && !FAN_OUT_EVENTS.has(event.t)) {
      const names = [...this.#awaiting.values()].map((t) => t.name);
      fail(
        `the manager stopped but did not abort the signal of ${
          names.join(", ")
        } before going on (${event.t})`,
      );
    }
    switch (event.t) {
      case "add":
        return this.#onAdd(event.id);
      case "add-done":
        return this.#onAddDone(event.id, event.threw, event.error);
      case "run-call":
        if (this.#phase !== "idle") fail("run was called twice");
        this.#phase = "init";
        if (this.#callerAborted) this.#stop("caller");
        return this.#advanceInit();
      case "run-return":
        return;
      case "call":
        return this.#onCall(event);
      case "return":
        return this.#onReturn(event.id, event.stage, event.how, event.value);
      case "then-call":
        this.#unattached.delete(`${event.id}:${event.stage}`);
        return;
      case "settle":
        this.#task(event.id).settles.set(event.stage, {
          ok: event.ok,
          value: event.value,
        });
        return;
      case "obs":
        return this.#onObserved(event.id, event.stage, event.ok, event.value);
      case "abort":
        return this.#onAbort(event.id, event.kind, event.signal, event.reason);
      case "caller-abort":
        this.#callerAborted = true;
        if (
          !this.#stopped &&
          (this.#phase === "init" || this.#phase === "start-all" ||
            this.#phase === "exec")
        ) this.#stop("caller");
        return;
      case "caller-abort-done":
        this.#callerReason = event.reason;
        this.#callerReasonKnown = true;
        if (this.#stopKind === "caller" && this.#phase !== "idle") {
          if (!this.#stopReasonKnown) {
            this.#stopReason = event.reason;
            this.#stopReasonKnown = true;
          } else if (!Object.is(this.#stopReason, event.reason)) {
            fail("the tasks' signals did not abort with the caller's reason");
          }
        }
        return;
      case "timer-set":
        return this.#onTimerSet(event.timer, event.ms, event.due);
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
      case "settled":
        return this.#onSettled(event);
    }
  }

  finish(): RunSummary {
    const run = this.#run;
    const summary = this.#summary;
    summary.stopped = this.#stopped;
    summary.stopKind = this.#stopKind;
    if (this.#adds.length || this.#calls.length) {
      fail("the log ended inside a call");
    }
    if (this.#awaiting.size > 0) {
      const names = [...this.#awaiting.values()].map((t) => t.name);
      fail(`the manager stopped but never aborted the signal of ${names}`);
    }
    if (run.settled) {
      const result = run.result as unknown[];
      const snapshot = this.#snapshot!;
      if (
        result.length !== snapshot.length ||
        result.some((error, i) => error !== snapshot[i])
      ) {
        fail("the array run resolved with changed after run resolved");
      }
      if (run.endListeners !== 0) {
        fail(`${run.endListeners} listener(s) left on the caller's signal`);
      }
      if (run.endPendingTimers !== 0) {
        fail(`${run.endPendingTimers} timer(s) of the manager left pending`);
      }
      return summary;
    }
    // The run never settled: legitimate only if the manager is waiting for
    // something that can never come.
    this.#requireAttached();
    if (this.#phase === "start-all") fail("execution never started");
    if (this.#expectInit) {
      fail(`initialize of ${this.#expectInit.name} was never called`);
    }
    if (!this.#stopped) {
      const init = this.#inflightInit;
      if (init?.init === "pending" && init.behavior("initialize") !== "async") {
        return summary; // waits for an initialize that waits for the stop
      }
      if (this.#phase === "exec") return summary; // no stop condition yet
      fail(`run hung in phase ${this.#phase} without being stopped`);
    }
    if (this.#timeout !== undefined) {
      fail("run never settled although shutdownTimeout bounds every wait");
    }
    const forever = (t: TaskState | undefined, stage: StageName) =>
      t !== undefined && t.behavior(stage) === "forever";
    const blocked = (this.#inflightInit?.init === "pending" &&
      forever(this.#inflightInit, "initialize")) ||
      this.#running.some((t) =>
        t.exec === "pending" && forever(t, "execute")
      ) ||
      (this.#cleanupInFlight?.cleanup === "pending" &&
        this.#cleanupInFlight.behavior("cleanup") !== "async");
    if (!blocked) {
      fail(
        `run never settled, though no stage it waits for hangs (phase ${this.#phase})`,
      );
    }
    return summary;
  }

  // --- adding -------------------------------------------------------------

  #onAdd(id: number): void {
    const record = this.#run.tasks[id];
    const task = new TaskState(record);
    this.#tasks[id] = task;
    let predicted: "throw" | "queue" | "start";
    if (record.spec.api === "addTask") {
      predicted = this.#phase === "idle" ? "queue" : "throw";
    } else if (this.#stopped || this.#phase === "settled") {
      predicted = "throw";
    } else if (this.#phase === "idle" || this.#phase === "init") {
      predicted = "queue";
    } else {
      predicted = "start";
    }
    if (predicted === "queue") {
      task.inList = true;
      this.#list.push(task);
      if (record.spec.type === "stop-group") this.#stopGroupLeft++;
    }
    this.#adds.push({ task, predicted });
  }

  #onAddDone(id: number, threw: boolean, error: unknown): void {
    const add = this.#adds.pop();
    if (add?.task.record.id !== id) fail("add events out of order");
    const { task, predicted } = add!;
    const api = task.record.spec.api;
    if (predicted === "throw") {
      if (!threw) {
        fail(
          `${api}(${task.name}) did not throw, though the manager is ${
            this.#phase === "settled"
              ? "stopped"
              : this.#phase === "idle"
              ? "idle"
              : "stopping or running"
          }`,
        );
      }
      if (!(error instanceof Error) || error instanceof TypeError) {
        fail(`${api}(${task.name}) threw ${show(error)}, not a plain Error`);
      }
      this.#summary.refusedAdds++;
      return;
    }
    if (threw) fail(`${api}(${task.name}) threw ${show(error)}`);
    if (predicted === "start") {
      if (task.exec === "none") {
        fail(`${task.name}, added while executing, did not start at once`);
      }
      this.#summary.startedWhileRunning++;
    }
  }

  // --- stages -------------------------------------------------------------

  #onCall(event: Extract<LogEvent, { t: "call" }>): void {
    const task = this.#task(event.id);
    const { stage } = event;
    if (
      task.record.spec.shape === "object" && event.self !== task.record.task
    ) {
      fail(`${stage} of ${task.name} was not called on its task object`);
    }
    if (!(event.signal instanceof AbortSignal)) {
      fail(
        `${stage} of ${task.name} got ${show(event.signal)}, no AbortSignal`,
      );
    }
    const signal = event.signal as AbortSignal;
    if (event.abortedAtCall) {
      fail(`${stage} of ${task.name} was called with an aborted signal`);
    }
    if (stage === "initialize") {
      if (this.#phase !== "init" || this.#stopped) {
        fail(
          `initialize of ${task.name} called ${
            this.#stopped ? "after the stop" : `in phase ${this.#phase}`
          }`,
        );
      }
      if (this.#expectInit !== task) {
        fail(
          `initialize of ${task.name} called out of order (expected ${
            this.#expectInit?.name ?? "none"
          })`,
        );
      }
      this.#expectInit = undefined;
      this.#inflightInit = task;
      task.init = "calling";
      task.attempted = true;
      this.#initCursor = this.#list.indexOf(task) + 1;
      task.signals.add(signal);
    } else if (stage === "execute") {
      if (this.#stopped) fail(`execute of ${task.name} called after the stop`);
      if (task.exec !== "none") fail(`execute of ${task.name} called twice`);
      const add = this.#adds.at(-1);
      if (add?.task === task) {
        if (add.predicted !== "start") {
          fail(`execute of ${task.name} called while it was being added`);
        }
        this.#startedLater.push(task);
      } else if (this.#phase !== "start-all" || this.#calls.length > 0) {
        fail(`execute of ${task.name} called in phase ${this.#phase}`);
      } else if (this.#list[this.#startCursor] !== task) {
        fail(
          `execute of ${task.name} called out of order (expected ${
            this.#list[this.#startCursor]?.name
          })`,
        );
      } else {
        this.#startCursor++;
      }
      task.exec = "calling";
      this.#running.push(task);
      task.signals.add(signal);
    } else {
      if (this.#phase !== "cleanup") {
        fail(`cleanup of ${task.name} called in phase ${this.#phase}`);
      }
      if (this.#running.length > 0) {
        fail(
          `cleanup of ${task.name} called while execute of ${
            this.#running[0].name
          } was still running`,
        );
      }
      const next = this.#cleanupOrder[this.#cleanupCursor];
      if (next !== task || this.#cleanupInFlight !== undefined) {
        fail(
          `cleanup of ${task.name} called out of order (expected ${
            this.#cleanupInFlight ? "the previous cleanup to end" : next?.name
          })`,
        );
      }
      this.#requireNoTimers(`cleanup of ${task.name}`);
      if (this.#timedOutCleanup) {
        fail(
          `the signal of the timed-out cleanup of ${this.#timedOutCleanup.name} was not aborted`,
        );
      }
      if (task.signals.has(signal)) {
        fail(`cleanup of ${task.name} got its task's signal, not a fresh one`);
      }
      task.cleanup = "calling";
      this.#cleanupInFlight = task;
      this.#summary.cleanups++;
    }
    this.#calls.push({ task, stage });
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
    const topLevel = this.#calls.length === 0;
    if (how === "promise") this.#unattached.add(`${id}:${stage}`);
    if (stage === "initialize") {
      if (how === "promise") task.init = "pending";
      else this.#initEnded(task, how === "ok", value);
    } else if (stage === "execute") {
      if (how === "promise") task.exec = "pending";
      else this.#execEnded(task, how === "ok", value);
      if (this.#phase === "start-all" && topLevel && !this.#adds.length) {
        if (this.#stopped || this.#startCursor >= this.#list.length) {
          this.#phase = "exec";
        }
      }
    } else {
      if (how === "promise") task.cleanup = "pending";
      else this.#cleanupEnded(task, how === "ok", value);
    }
    this.#tryBeginCleanup();
  }

  #onObserved(
    id: number,
    stage: StageName,
    ok: boolean,
    value: unknown,
  ): void {
    const task = this.#task(id);
    if (task.observed.has(stage)) return; // a second callback; the first counts
    task.observed.add(stage);
    const settle = task.settles.get(stage);
    if (settle === undefined) {
      fail(`the manager saw ${stage} of ${task.name} settle before it did`);
    }
    if (settle!.ok !== ok || (!ok && !Object.is(settle!.value, value))) {
      fail(`the manager saw ${stage} of ${task.name} settle differently`);
    }
    const state = stage === "initialize"
      ? task.init
      : stage === "execute"
      ? task.exec
      : task.cleanup;
    if (state === "abandoned") return; // late: the manager no longer waits
    if (state !== "pending") {
      fail(`${stage} of ${task.name} observed in state ${state}`);
    }
    if (stage === "initialize") this.#initEnded(task, ok, value);
    else if (stage === "execute") this.#execEnded(task, ok, value);
    else this.#cleanupEnded(task, ok, value);
    this.#tryBeginCleanup();
  }

  #initEnded(task: TaskState, ok: boolean, value: unknown): void {
    task.init = "done";
    this.#inflightInit = undefined;
    if (!ok) this.#failure(task, "initialize", value);
    this.#advanceInit();
  }

  #execEnded(task: TaskState, ok: boolean, value: unknown): void {
    task.exec = "done";
    this.#running.splice(this.#running.indexOf(task), 1);
    const type = task.record.spec.type;
    if (!ok) {
      this.#failure(task, "execute", value);
    } else if (type === "strict") {
      if (!this.#stopped) {
        this.#expect(task, "execute", { kind: "unexpected-stop" });
        this.#summary.unexpectedStops++;
        this.#stop("strict-return");
      }
    } else if (type === "stop-group") {
      if (--this.#stopGroupLeft === 0) this.#stop("stop-group");
    }
  }

  #cleanupEnded(task: TaskState, ok: boolean, value: unknown): void {
    task.cleanup = "done";
    if (!ok) this.#expect(task, "cleanup", { kind: "is", value });
    this.#cleanupNext();
  }

  /** A failure is an error, and stops the manager, unless it echoes the stop. */
  #failure(task: TaskState, stage: StageName, value: unknown): void {
    if (this.#stopped && this.#isAbortEcho(value)) {
      this.#summary.abortEchoes++;
      return;
    }
    this.#expect(task, stage, { kind: "is", value });
    this.#stop("failure");
  }

  #isAbortEcho(value: unknown): boolean {
    if (!this.#stopReasonKnown) {
      throw new Error("harness: the stop reason is not known yet");
    }
    if (value === this.#stopReason) return true;
    try {
      return typeof value === "object" && value !== null &&
        (value as { name?: unknown }).name === "AbortError";
    } catch {
      return false;
    }
  }

  #expect(task: TaskState, stage: StageName, cause: Expected["cause"]): void {
    this.#expected.push({
      name: task.name,
      stage,
      type: task.record.spec.type,
      cause,
    });
  }

  // --- phases -------------------------------------------------------------

  #advanceInit(): void {
    if (this.#phase !== "init" || this.#inflightInit) return;
    for (;;) {
      if (this.#stopped || this.#initCursor >= this.#list.length) {
        this.#expectInit = undefined;
        if (this.#stopped) {
          this.#phase = "exec"; // nothing executes; drain, then clean up
          this.#tryBeginCleanup();
        } else {
          this.#phase = this.#list.length ? "start-all" : "exec";
        }
        return;
      }
      const task = this.#list[this.#initCursor];
      if (task.hasInit) {
        this.#expectInit = task;
        return;
      }
      task.attempted = true;
      this.#initCursor++;
    }
  }

  #stop(kind: StopKind): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopKind = kind;
    this.#stopTime = this.#time;
    if (kind === "caller" && this.#callerReasonKnown) {
      this.#stopReason = this.#callerReason;
      this.#stopReasonKnown = true;
    }
    for (const task of this.#tasks) {
      if (!task || task.exec === "done" || task.exec === "abandoned") continue;
      for (const signal of task.signals) {
        if (!this.#abortedSeen.has(signal)) this.#awaiting.set(signal, task);
      }
    }
    this.#tryBeginCleanup();
  }

  readonly #abortedSeen = new WeakSet<AbortSignal>();

  #onAbort(
    id: number,
    kind: "task" | "cleanup",
    signal: AbortSignal,
    reason: unknown,
  ): void {
    const task = this.#task(id);
    if (kind === "cleanup") {
      if (task.cleanup !== "abandoned" || this.#timedOutCleanup !== task) {
        fail(`the cleanup signal of ${task.name} aborted before its deadline`);
      }
      if (!(reason instanceof ShutdownTimeoutError)) {
        fail(`the cleanup signal of ${task.name} aborted with ${show(reason)}`);
      }
      this.#timedOutCleanup = undefined;
      return;
    }
    if (!this.#stopped) {
      fail(
        `the signal of ${task.name} aborted, but no stop condition happened`,
      );
    }
    this.#abortedSeen.add(signal);
    this.#awaiting.delete(signal);
    if (!this.#stopReasonKnown) {
      this.#stopReason = reason;
      this.#stopReasonKnown = true;
      if (this.#stopKind !== "caller" && !isAbortErrorLike(reason)) {
        fail(`the manager stopped with reason ${show(reason)}, no AbortError`);
      }
    } else if (!Object.is(reason, this.#stopReason)) {
      fail(`the signal of ${task.name} aborted with another reason`);
    }
  }

  #tryBeginCleanup(): void {
    if (
      this.#phase !== "exec" || !this.#stopped || this.#running.length > 0 ||
      this.#inflightInit !== undefined
    ) return;
    this.#phase = "cleanup";
    this.#cleanupOrder = this.#list
      .filter((task) => task.attempted && task.hasCleanup)
      .reverse();
    this.#cleanupCursor = 0;
  }

  #cleanupNext(): void {
    this.#cleanupInFlight = undefined;
    this.#cleanupCursor++;
  }

  // --- timers -------------------------------------------------------------

  #onTimerSet(timer: number, ms: number, due: number): void {
    const beforeCleanup = this.#phase === "init" ||
      this.#phase === "start-all" || this.#phase === "exec" ||
      (this.#phase === "cleanup" && this.#summary.cleanups === 0);
    if (this.#stopped && this.#deadline === undefined && beforeCleanup) {
      if (this.#timeout === undefined) {
        fail("the manager set a timer, but has no shutdownTimeout");
      }
      if (due !== this.#stopTime + this.#timeout!) {
        fail(
          `the shutdown deadline falls due at ${due} ms, not ${this.#stopTime} + ${this.#timeout} ms`,
        );
      }
      this.#deadline = timer;
      this.#timers.set(timer, { role: "deadline", due, state: "pending" });
      return;
    }
    const cleanup = this.#cleanupInFlight;
    if (
      this.#phase === "cleanup" && cleanup?.cleanup === "pending" &&
      this.#cleanupTimer === undefined && this.#timeout !== undefined
    ) {
      if (ms !== this.#timeout) {
        fail(`the cleanup deadline is ${ms} ms, not ${this.#timeout} ms`);
      }
      this.#cleanupTimer = timer;
      this.#timers.set(timer, { role: "cleanup", due, state: "pending" });
      return;
    }
    fail(`the manager set an unexpected timer of ${ms} ms`);
  }

  #onTimerFire(id: number): void {
    const timer = this.#timers.get(id);
    if (timer === undefined || timer.state !== "pending") {
      fail(`timer ${id} fired after it was cleared`);
    }
    timer!.state = "fired";
    if (timer!.role === "deadline") {
      if (this.#phase === "cleanup" || this.#phase === "settled") {
        fail("the shutdown deadline fired during cleanup");
      }
      const init = this.#inflightInit;
      if (init?.init === "pending") {
        init.init = "abandoned";
        this.#inflightInit = undefined;
        this.#expect(init, "initialize", { kind: "timeout" });
        this.#summary.timeouts.initialize++;
        this.#advanceInit();
      }
      const listed = this.#list.filter((t) => t.exec === "pending");
      const later = this.#startedLater.filter((t) => t.exec === "pending");
      for (const task of [...listed, ...later]) {
        task.exec = "abandoned";
        this.#running.splice(this.#running.indexOf(task), 1);
        this.#expect(task, "execute", { kind: "timeout" });
        this.#summary.timeouts.execute++;
      }
      this.#tryBeginCleanup();
      return;
    }
    const task = this.#cleanupInFlight;
    if (task?.cleanup !== "pending" || this.#cleanupTimer !== id) {
      fail("a cleanup deadline fired while no cleanup was waited for");
    }
    this.#cleanupTimer = undefined;
    task!.cleanup = "abandoned";
    this.#timedOutCleanup = task;
    this.#expect(task!, "cleanup", { kind: "timeout" });
    this.#summary.timeouts.cleanup++;
    this.#cleanupNext();
  }

  #requireNoTimers(before: string): void {
    for (const [, timer] of this.#timers) {
      if (timer.state === "pending") {
        fail(`the ${timer.role} timer was still pending at ${before}`);
      }
    }
    if (this.#cleanupTimer !== undefined) {
      const timer = this.#timers.get(this.#cleanupTimer);
      if (timer?.state !== "pending") this.#cleanupTimer = undefined;
    }
  }

  // --- turns and the end --------------------------------------------------

  /** A new turn: everything due within the previous one must have happened. */
  #onStep(): void {
    this.#requireAttached();
    if (this.#phase === "start-all") {
      fail(
        `execute of ${
          this.#list[this.#startCursor]?.name
        } was never called after initialization`,
      );
    }
    if (this.#expectInit) {
      fail(`initialize of ${this.#expectInit.name} was never called`);
    }
    if (this.#phase === "cleanup" && this.#cleanupInFlight === undefined) {
      const next = this.#cleanupOrder[this.#cleanupCursor];
      fail(
        next
          ? `cleanup of ${next.name} was never called`
          : "run did not resolve after its last cleanup",
      );
    }
  }

  /**
   * The harness sees when the manager learns of a stage's end only through
   * the own `then` of the promise the stage returned (property_harness.ts).
   * A manager that awaits such a promise without calling `then` works, but
   * cannot be checked by this model: say so rather than report a hang.
   */
  #requireAttached(): void {
    if (this.#unattached.size === 0) return;
    const [first] = this.#unattached;
    const [id, stage] = first.split(":");
    fail(
      `the manager never called then on the promise that ${stage} of ${
        this.#task(Number(id)).name
      } returned; the harness observes the manager only through then`,
    );
  }

  #onSettled(event: Extract<LogEvent, { t: "settled" }>): void {
    if (!event.ok) fail(`run rejected with ${show(event.value)}`);
    if (this.#phase !== "cleanup" || this.#cleanupInFlight) {
      fail(`run resolved in phase ${this.#phase}`);
    }
    if (this.#cleanupCursor < this.#cleanupOrder.length) {
      fail(
        `run resolved before cleanup of ${
          this.#cleanupOrder[this.#cleanupCursor].name
        }`,
      );
    }
    this.#requireNoTimers("the end of run");
    if (this.#timedOutCleanup) {
      fail(
        `the signal of the timed-out cleanup of ${this.#timedOutCleanup.name} was not aborted`,
      );
    }
    if (event.listeners !== 0) {
      fail(`${event.listeners} listener(s) left on the caller's signal`);
    }
    if (event.pendingTimers !== 0) {
      fail(`${event.pendingTimers} timer(s) left pending`);
    }
    compareErrors(event.value, this.#expected);
    this.#phase = "settled";
    this.#snapshot = event.snapshot;
    this.#summary.settled = true;
    this.#summary.errors = this.#expected.length;
  }

  #task(id: number): TaskState {
    const task = this.#tasks[id];
    if (task === undefined) throw new Error(`harness: unknown task ${id}`);
    return task;
  }
}

function compareErrors(value: unknown, expected: Expected[]): void {
  const describeExpected = () =>
    expected.map((x, i) =>
      `    ${i}: ${x.name} ${x.stage} (${x.type}) ${
        x.cause.kind === "is" ? show(x.cause.value) : x.cause.kind
      }`
    ).join("\n") || "    (none)";
  const describeActual = (errors: unknown[]) =>
    errors.map((e, i) =>
      e instanceof TaskError
        ? `    ${i}: ${e.taskName} ${e.stage} (${e.taskType}) ${show(e.cause)}`
        : `    ${i}: ${show(e)}`
    ).join("\n") || "    (none)";
  if (!Array.isArray(value)) fail(`run resolved with ${show(value)}`);
  const errors = value as unknown[];
  const mismatch = () =>
    fail(
      `run resolved with the wrong errors\n  expected:\n${describeExpected()}\n  got:\n${
        describeActual(errors)
      }`,
    );
  if (errors.length !== expected.length) mismatch();
  expected.forEach((x, i) => {
    const error = errors[i];
    if (
      !(error instanceof TaskError) || error.taskName !== x.name ||
      error.stage !== x.stage || error.taskType !== x.type ||
      typeof error.message !== "string"
    ) return mismatch();
    const cause = error.cause;
    const good = x.cause.kind === "is"
      ? Object.is(cause, x.cause.value)
      : x.cause.kind === "unexpected-stop"
      ? cause instanceof UnexpectedStopError
      : cause instanceof ShutdownTimeoutError;
    if (!good) mismatch();
  });
}

function isAbortErrorLike(value: unknown): boolean {
  try {
    return typeof value === "object" && value !== null &&
      (value as { name?: unknown }).name === "AbortError";
  } catch {
    return false;
  }
}

function fail(message: string): never {
  throw new Violation(message);
}

/** Any value, in a few words; never throws. */
export function show(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.name}(${value.message})`;
    return describeValue({ kind: "value", value });
  } catch {
    return "(an indescribable value)";
  }
}

/** A manager event in a few words. */
function describeEvent(e: ManagerEvent): string {
  switch (e.type) {
    case "statechange":
      return `statechange ${e.from} -> ${e.to}`;
    case "taskerror": {
      const error = e.taskError as Partial<TaskError>;
      return `taskerror ${error?.taskName} ${error?.stage} (${
        show(error?.cause)
      })`;
    }
    default:
      return `${e.type} ${e.name} attempt ${e.attempt}${
        e.hasError ? ` error ${show(e.error)}` : ""
      }${e.hasDelay ? ` delay ${e.delay}` : ""}`;
  }
}

/** The log, one line per event, up to `upTo` (the violating event). */
export function renderLog(run: RunRecord, upTo = Infinity): string {
  const lines: string[] = [];
  const name = (id: number) => run.tasks[id]?.name ?? `#${id}`;
  for (const e of run.log) {
    if (e.seq > upTo) break;
    let text: string;
    switch (e.t) {
      case "add":
        text = `${run.tasks[e.id].spec.api}(${name(e.id)}, ${
          run.tasks[e.id].spec.type
        })`;
        break;
      case "add-done":
        text = e.threw ? `  -> threw ${show(e.error)}` : "  -> added";
        break;
      case "call":
        text = `call ${e.stage} of ${name(e.id)}`;
        break;
      case "return":
        text = `  ${e.stage} of ${name(e.id)} ${
          e.how === "promise"
            ? "returned a promise"
            : e.how === "ok"
            ? "returned"
            : `threw ${show(e.value)}`
        }`;
        break;
      case "settle":
        text = `${e.stage} of ${name(e.id)} ${
          e.ok ? "resolved" : `rejected with ${show(e.value)}`
        }`;
        break;
      case "obs":
        text = `manager saw ${e.stage} of ${name(e.id)} ${
          e.ok ? "resolve" : "reject"
        }`;
        break;
      case "abort":
        text = `${e.kind === "cleanup" ? "cleanup " : ""}signal of ${
          name(e.id)
        } aborted (${show(e.reason)})`;
        break;
      case "caller-abort-done":
        text = `  caller's signal aborted (${show(e.reason)})`;
        break;
      case "timer-set":
        text = `manager set timer ${e.timer} for ${e.ms} ms`;
        break;
      case "timer-clear":
        text = `manager cleared timer ${e.timer}`;
        break;
      case "timer-fire":
        text = `timer ${e.timer} fired`;
        break;
      case "settled":
        text = e.ok
          ? `run resolved with ${(e.value as unknown[]).length} error(s)`
          : `run rejected with ${show(e.value)}`;
        break;
      case "decoy":
        text = `manager called decoy ${e.stage} of ${name(e.id)}`;
        break;
      case "ev":
        text = `event ${describeEvent(e)}`;
        break;
      case "stop-call":
        text = "harness calls stop()";
        break;
      case "stop-done":
        text = e.threw
          ? `  stop() threw ${show(e.error)}`
          : "  stop() returned";
        break;
      case "dispose-call":
        text = "harness calls [Symbol.asyncDispose]() to end the run";
        break;
      case "dispose-done":
        text = `[Symbol.asyncDispose]() ${e.ok ? "resolved" : "rejected"}`;
        break;
      case "then-call":
        continue;
      case "step":
        text = "--- next turn ---";
        break;
      default:
        text = e.t;
    }
    lines.push(`    [${e.seq}] t=${e.time} ${text}`);
  }
  return lines.slice(-80).join("\n");
}
