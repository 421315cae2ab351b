/**
 * The manager's engine: what runs the tasks of one `TaskManager`, behind its
 * public surface. `run` reads like goasync's `Run`: initialize all, start
 * all, wait, clean up.
 *
 * @module
 */

import {
  RestartIntensityError,
  ShutdownTimeoutError,
  TaskError,
  UnexpectedStopError,
} from "../errors.ts";
import {
  type ManagerSnapshot,
  type ManagerState,
  ManagerStateEvent,
  TaskErrorEvent,
  TaskEvent,
  type TaskEventType,
  type TaskState,
} from "../events.ts";
import { Stage } from "../task_type.ts";
import { isAbortEcho } from "./abort_echo.ts";
import { callName } from "./checks.ts";
import { EventLoopYield } from "./event_loop_yield.ts";
import { RestartBudget } from "./restart_budget.ts";
import { whenSettled } from "./settle.ts";
import type { StageFn, Stages } from "./stages.ts";
import type { ReadOptions } from "./task_options.ts";
import { NO_ERROR, snapshotOf, TaskRecord } from "./task_record.ts";
import { startTimer, stopTimer, type Timer } from "./timers.ts";
import { stamp } from "./clock.ts";

/** Where the engine sends its events: the manager's listeners. */
export interface EventSink {
  /** Whether an event of `type` may have a listener (else none is made). */
  listens(type: string): boolean;
  /** Dispatches `event` synchronously. */
  dispatch(event: Event): void;
}

/** How an awaited stage ended. */
type Outcome = typeof SETTLED | typeof TIMED_OUT | { error: unknown };
/** The stage resolved or returned. */
const SETTLED: unique symbol = Symbol("settled");
/** The shutdown deadline passed first; the stage is abandoned. */
const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * How the engine watches an execute that returned a promise, which it does
 * for every idle task: with two functions bound to the task's record on V8
 * (96 B, against 160 B for two closures), with two closures on
 * JavaScriptCore, where binding is both larger and slower (272 B against
 * 192 B; docs/runtime-notes.md).
 */
const BIND_WATCHERS = !Reflect.has(globalThis, "Bun");

/** Marks "no stop asked yet": a stop's reason may be `undefined`. */
const NO_STOP: unique symbol = Symbol("no stop");

/** Runs the tasks of one manager; see `TaskManager` for the rules. */
export class Engine {
  readonly #shutdownTimeout: number | undefined;
  readonly #drainDelay: number;
  readonly #events: EventSink;
  #state: ManagerState = "idle";
  #since = Date.now();
  /** Tasks added before execution started, in the order added. */
  readonly #tasks: TaskRecord[] = [];
  /** Tasks added while executing, while they are in flight. */
  readonly #dynamic = new Set<TaskRecord>();
  /** How many tasks have a stage in flight (kept by `#setInFlight` alone). */
  #inFlight = 0;
  #stopGroupLeft = 0;
  #stopReason: unknown = NO_STOP;
  #drainTimer: Timer | undefined = undefined;
  #deadline: Timer | undefined = undefined;
  #onDrained: (() => void) | undefined = undefined;
  #finished: Promise<unknown> | undefined = undefined;
  #disposal: Promise<void> | undefined = undefined;
  readonly #errors: TaskError[] = [];
  /** Ends the wait for a task's awaited stage or backoff, while one runs. */
  readonly #wakers = new Map<TaskRecord, (outcome: Outcome) => void>();
  /** Each task's last failure, restarted or not (failures are rare). */
  readonly #lastErrors = new Map<TaskRecord, unknown>();
  /** The restart policy and state of each task that has one. */
  readonly #budgets = new Map<TaskRecord, RestartBudget>();
  /**
   * Called with a task's record as `this` when its execute settles, where
   * {@linkcode BIND_WATCHERS} says so.
   */
  readonly #executeReturned: (this: TaskRecord) => void;
  readonly #executeThrew: (this: TaskRecord, error: unknown) => void;

  constructor(
    shutdownTimeout: number | undefined,
    drainDelay: number,
    events: EventSink,
  ) {
    this.#shutdownTimeout = shutdownTimeout;
    this.#drainDelay = drainDelay;
    this.#events = events;
    const returned = (record: TaskRecord) =>
      this.#executeSettled(record, false);
    const threw = (record: TaskRecord, error: unknown) =>
      this.#executeSettled(record, true, error);
    this.#executeReturned = function () {
      returned(this);
    };
    this.#executeThrew = function (error) {
      threw(this, error);
    };
  }

  get state(): ManagerState {
    return this.#state;
  }

  /** `addTask`, its arguments checked. */
  addTask(
    name: string,
    stages: Stages,
    options: ReadOptions,
  ): void {
    if (this.#state !== "idle") {
      throw new Error(
        `${
          callName("addTask", name)
        }: tasks with a lifecycle can be added only before run; use addExecuteTask while running`,
      );
    }
    this.#tasks.push(this.#newRecord(name, stages, options, false));
    if (options.type === "stop-group") this.#stopGroupLeft++;
  }

  /** `addExecuteTask`, its arguments checked. */
  addExecuteTask(
    name: string,
    stages: Stages,
    options: ReadOptions,
  ): void {
    if (this.#aborted) {
      throw new Error(
        `${
          callName("addExecuteTask", name)
        }: the manager is stopping or stopped`,
      );
    }
    const started = this.#state === "running" || this.#state === "draining";
    const record = this.#newRecord(name, stages, options, started);
    if (!started) return void this.#tasks.push(record);
    this.#start(record);
  }

  run(signal: AbortSignal | undefined): Promise<TaskError[]> {
    if (this.#state !== "idle") {
      return Promise.reject(
        new Error("TaskManager.run was already called; a manager runs once"),
      );
    }
    let unlisten: () => void;
    try {
      unlisten = this.#listenForStop(signal);
    } catch (error) {
      return Promise.reject(error);
    }
    let ended!: () => void;
    this.#finished = new Promise<void>((resolve) => ended = resolve);
    const finished = this.#run(unlisten);
    finished.then(ended, ended);
    return finished;
  }

  async #run(unlisten: () => void): Promise<TaskError[]> {
    try {
      this.#setState("initializing");
      if (this.#stopReason !== NO_STOP) this.#abort();
      await this.#initializeAll();
      this.#startAll();
      await this.#allSettled();
      await this.#cleanUpAll();
      return this.#errors;
    } finally {
      unlisten();
      this.#setState("stopped");
    }
  }

  /** `stop(reason)`: drains a running manager first. */
  stop(reason: unknown): void {
    this.#requestStop(reason, true);
  }

  /** `[Symbol.asyncDispose]`. */
  dispose(): Promise<void> {
    if (this.#disposal) return this.#disposal;
    if (this.#finished === undefined) return Promise.resolve();
    this.#requestStop(abortError("the manager was disposed"), false);
    return this.#disposal = this.#finished.then(() => {});
  }

  snapshot(): ManagerSnapshot {
    const view = (record: TaskRecord) =>
      snapshotOf(
        record,
        this.#lastErrors.has(record) ? this.#lastErrors.get(record) : NO_ERROR,
        this.#budgetOf(record)?.restarts ?? 0,
      );
    const tasks = this.#tasks.map(view);
    for (const record of this.#dynamic) tasks.push(view(record));
    return { state: this.#state, since: this.#since, tasks };
  }

  // --- run's four steps ---------------------------------------------------

  /** Initializes tasks in order, until one fails or the manager stops. */
  async #initializeAll(): Promise<void> {
    // Reading the length each time also visits execute tasks added while
    // one awaits.
    const tasks = this.#tasks;
    for (let i = 0; i < tasks.length; i++) {
      const record = tasks[i];
      if (this.#aborted) break;
      record.controller = new AbortController();
      record.cleanupOwed = true;
      if (record.initialize === undefined) continue;
      // Synchronous stages are not awaited: a run of them costs no promise.
      let ok = this.#initialize(record);
      if (ok instanceof Promise) ok = await ok;
      if (!ok) break;
    }
  }

  #startAll(): void {
    if (this.#aborted) return;
    this.#setState("running");
    const now = stamp();
    const tasks = this.#tasks;
    for (let i = 0; i < tasks.length; i++) {
      if (this.#aborted) break;
      this.#start(tasks[i], now);
    }
  }

  /** Resolves once the manager has stopped and no stage is in flight. */
  #allSettled(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#onDrained = resolve;
      this.#checkSettled();
    }).then(() => stopTimer(this.#deadline));
  }

  /** Cleans up, in reverse order, every task whose initialize had its turn. */
  async #cleanUpAll(): Promise<void> {
    let now = stamp(); // read again only after a cleanup
    for (let i = this.#tasks.length - 1; i >= 0; i--) {
      const record = this.#tasks[i];
      if (record.cleanupOwed && record.cleanup !== undefined) {
        // Synchronous cleanups are not awaited: a run of them costs no promise.
        const pending = this.#cleanUp(record);
        if (pending !== undefined) await pending;
        now = stamp();
      }
      record.cleanupOwed = false;
      this.#setTaskState(record, record.failed ? "failed" : "stopped", now);
    }
  }

  // --- one task's stages ----------------------------------------------------

  /** Runs `record`'s initialize; whether the task may go on to execute. */
  #initialize(record: TaskRecord): boolean | Promise<boolean> {
    this.#setTaskState(record, "initializing");
    this.#setInFlight(record, Stage.Initialize);
    const signal = record.controller!.signal;
    const outcome = this.#callStage(record, record.initialize!, signal);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#initialized(record, settled))
      : this.#initialized(record, outcome);
  }

  #initialized(record: TaskRecord, outcome: Outcome): boolean {
    if (outcome === TIMED_OUT) return false; // reported by the deadline
    this.#setInFlight(record, undefined);
    if (outcome === SETTLED) {
      this.#setTaskState(record, "pending");
      return !this.#aborted;
    }
    if (!isAbortEcho(outcome.error, record.controller!.signal)) {
      this.#fail(record, Stage.Initialize, outcome.error);
    } else this.#setTaskState(record, "stopped");
    return false;
  }

  /** The first attempt. */
  #start(record: TaskRecord, now?: number): void {
    record.controller ??= new AbortController();
    this.#execute(record, now);
  }

  #execute(record: TaskRecord, now?: number): void {
    // In flight from the call on: a stop the call itself causes must abort
    // this task's signal too, and wait for it before cleaning up.
    this.#setInFlight(record, Stage.Execute);
    this.#setTaskState(record, "running", now);
    const budget = this.#budgetOf(record);
    if (budget) budget.startedAt = Date.now();
    let result: unknown;
    let threw = false;
    try {
      result = record.execute.call(record.self, record.controller!.signal);
    } catch (error) {
      threw = true;
      result = error;
    }
    this.#emit("taskstart", record, NO_ERROR);
    if (threw) return this.#executeSettled(record, true, result);
    if (result === undefined) return this.#executeSettled(record, false);
    if (BIND_WATCHERS) {
      whenSettled(
        result,
        this.#executeReturned.bind(record),
        this.#executeThrew.bind(record),
      );
    } else {
      whenSettled(
        result,
        () => this.#executeSettled(record, false),
        (error) => this.#executeSettled(record, true, error),
      );
    }
  }

  #executeSettled(record: TaskRecord, threw: boolean, error?: unknown): void {
    if (record.inFlight !== Stage.Execute) return; // abandoned at the deadline
    // Only #abort aborts task signals: the state tells without reading one.
    const stopped = this.#aborted;
    const budget = this.#budgetOf(record);
    let failure: unknown = NO_ERROR;
    if (threw) {
      const signal = record.controller!.signal;
      if (!stopped || !isAbortEcho(error, signal)) failure = error;
    } else if (
      !stopped && (record.type === "strict" || budget?.config.permanent)
    ) {
      failure = new UnexpectedStopError(record.name);
    }
    this.#emit("taskstop", record, failure);
    if (failure === NO_ERROR) {
      if (record.type === "stop-group" && !stopped) {
        if (--this.#stopGroupLeft === 0) {
          this.#requestStop(
            abortError("every stop-group task returned"),
            false,
          );
        }
      }
      return this.#taskEnded(record);
    }
    const restart = !stopped && budget !== undefined &&
      (threw || budget.config.permanent);
    if (restart) return this.#restart(record, failure);
    this.#taskEnded(record, Stage.Execute, failure);
  }

  /** The task is done until the final cleanup, failed in `stage` or not. */
  #taskEnded(record: TaskRecord, stage?: Stage, failure?: unknown): void {
    this.#setInFlight(record, undefined);
    this.#budgetOf(record)?.yielder?.stop(); // leaves no timer behind
    if (stage !== undefined) this.#fail(record, stage, failure);
    // A dynamic task leaves the snapshot now: its end is not shown.
    else if (!record.dynamic) this.#setTaskState(record, "stopped");
    this.#retire(record);
    this.#checkSettled();
  }

  // --- restarts -------------------------------------------------------------

  /** After a failure: restart `record` after its backoff, or give up. */
  #restart(record: TaskRecord, cause: unknown): void {
    const budget = this.#budgetOf(record)!;
    this.#lastErrors.set(record, cause);
    const delay = budget.next(Date.now());
    if (delay === undefined) {
      const { within } = budget.config;
      const error = new RestartIntensityError(
        record.name,
        budget.recent,
        within,
        cause,
      );
      return this.#taskEnded(record, Stage.Execute, error);
    }
    budget.restarts++;
    this.#setTaskState(record, "restarting");
    this.#emit("taskrestart", record, cause, delay);
    void this.#restartCycle(record, delay);
  }

  /** cleanup, the backoff wait, initialize, execute: one restart. */
  async #restartCycle(record: TaskRecord, delay: number): Promise<void> {
    this.#budgetOf(record)!.attempt++;
    if (record.cleanupOwed && record.cleanup !== undefined) {
      record.cleanupOwed = false;
      const signal = new AbortController().signal; // as at the final cleanup
      const failed = await this.#restartStage(record, Stage.Cleanup, signal);
      if (failed) return;
    }
    const waited = await this.#backoff(record, delay);
    // The await itself lets a stop in: after one, there is no next attempt.
    if (!waited || this.#aborted) return this.#taskEnded(record);
    record.cleanupOwed = true;
    if (record.initialize !== undefined) {
      const signal = record.controller!.signal;
      const failed = await this.#restartStage(record, Stage.Initialize, signal);
      if (failed) return;
    }
    if (this.#aborted) return this.#taskEnded(record);
    this.#execute(record);
  }

  /** Runs a restart's cleanup or initialize; true when the restart is over. */
  async #restartStage(
    record: TaskRecord,
    stage: typeof Stage.Cleanup | typeof Stage.Initialize,
    signal: AbortSignal,
  ): Promise<boolean> {
    this.#setInFlight(record, stage);
    const fn = stage === Stage.Cleanup ? record.cleanup! : record.initialize!;
    const outcome = await this.#callStage(record, fn, signal);
    if (outcome === TIMED_OUT) return true; // abandoned at the deadline
    this.#setInFlight(record, Stage.Execute); // the restart goes on
    if (outcome === SETTLED) return false;
    this.#restartFailed(record, stage, outcome.error);
    return true;
  }

  /** A restart's cleanup or initialize failed: like a failed execute. */
  #restartFailed(record: TaskRecord, stage: Stage, error: unknown): void {
    const signal = record.controller!.signal;
    if (signal.aborted) {
      // After the stop there is no restart: a failure is reported as such.
      if (isAbortEcho(error, signal)) return this.#taskEnded(record);
      return this.#taskEnded(record, stage, error);
    }
    this.#restart(record, error);
  }

  /** Waits the backoff delay; false when the manager stopped meanwhile. */
  #backoff(record: TaskRecord, delay: number): boolean | Promise<boolean> {
    if (this.#aborted) return false;
    const budget = this.#budgetOf(record)!;
    if (delay === 0) {
      const turn = (budget.yielder ??= new EventLoopYield()).between();
      return turn === undefined ? true : turn.then(() => !this.#aborted);
    }
    return new Promise<boolean>((resolve) => {
      this.#wakers.set(record, (outcome) => resolve(outcome === SETTLED));
      const timer = startTimer(() => this.#wake(record, SETTLED), delay);
      // Reading a timer global may run promise callbacks (Deno): re-check.
      if (this.#aborted) {
        stopTimer(timer);
        resolve(false);
      } else budget.timer = timer;
    }).then((waited) => {
      this.#wakers.delete(record);
      budget.timer = undefined;
      return waited && !this.#aborted;
    });
  }

  // --- stopping -------------------------------------------------------------

  /** Whether the task signals have been aborted. */
  get #aborted(): boolean {
    return this.#state === "stopping" || this.#state === "stopped";
  }

  /** A stop asked from `outside` drains a running manager first. */
  #requestStop(reason: unknown, outside: boolean): void {
    const first = this.#stopReason === NO_STOP;
    if (first) this.#stopReason = reason;
    switch (this.#state) {
      case "idle": // run stops at once
      case "stopping":
      case "stopped":
        return;
      case "draining":
        if (!outside) this.#abort(); // a task's failure ends the drain
        return;
    }
    if (outside && this.#state === "running" && this.#drainDelay > 0) {
      this.#setState("draining");
      const timer = startTimer(() => this.#abort(), this.#drainDelay);
      // Reading a timer global may run promise callbacks (Deno): re-check.
      if (this.#state as ManagerState === "draining") this.#drainTimer = timer;
      else stopTimer(timer);
      return;
    }
    this.#abort();
  }

  /** Aborts every task signal; the shutdown deadline starts now. */
  #abort(): void {
    if (this.#aborted) return;
    stopTimer(this.#drainTimer);
    this.#setState("stopping");
    // Armed before the aborts: on Deno, the first read of a timer global can
    // run promise callbacks, which must not see tasks settled by this stop.
    if (this.#shutdownTimeout !== undefined) {
      this.#deadline = startTimer(
        () => this.#onDeadline(),
        this.#shutdownTimeout,
      );
    }
    const reason = this.#stopReason;
    const now = stamp();
    for (const record of this.#tasks) this.#abortTask(record, reason, now);
    for (const record of this.#dynamic) this.#abortTask(record, reason, now);
    this.#checkSettled();
  }

  #abortTask(record: TaskRecord, reason: unknown, now: number): void {
    if (record.inFlight === Stage.Execute && record.state === "running") {
      this.#setTaskState(record, "stopping", now);
    }
    const timer = this.#budgetOf(record)?.timer;
    if (timer !== undefined) {
      stopTimer(timer);
      this.#wake(record, TIMED_OUT); // ends the backoff wait: no further attempt
    }
    record.controller?.abort(reason);
  }

  #onDeadline(): void {
    for (const record of this.#tasks) {
      if (record.inFlight !== undefined) this.#abandon(record);
    }
    for (const record of this.#dynamic) this.#abandon(record);
    this.#checkSettled();
  }

  /** Gives up on `record`'s stage in flight at the shutdown deadline. */
  #abandon(record: TaskRecord): void {
    const stage = record.inFlight!;
    const wake = this.#wakers.get(record);
    this.#wakers.delete(record);
    this.#setInFlight(record, undefined);
    const error = this.#timedOut(record, stage);
    if (stage === Stage.Execute) this.#emit("taskstop", record, error);
    this.#record(record, stage, error);
    this.#retire(record);
    wake?.(TIMED_OUT);
  }

  #checkSettled(): void {
    if (this.#onDrained && this.#aborted && this.#inFlight === 0) {
      const resolve = this.#onDrained;
      this.#onDrained = undefined;
      resolve();
    }
  }

  /**
   * Runs `record`'s final cleanup, bounded by `shutdownTimeout`. Each
   * cleanup has a signal of its own, which aborts at its own deadline: one
   * signal shared by all would gather the listeners cleanups leave behind,
   * and adding a listener scans those already there (quadratic; DESIGN.md).
   */
  #cleanUp(record: TaskRecord): Promise<void> | undefined {
    this.#setTaskState(record, "cleaning");
    const timeout = this.#shutdownTimeout;
    const controller = new AbortController();
    const pending = this.#callStage(record, record.cleanup!, controller.signal);
    if (!(pending instanceof Promise)) {
      return this.#cleanedUp(record, pending, controller);
    }
    const timer = timeout === undefined
      ? undefined
      : startTimer(() => this.#wake(record, TIMED_OUT), timeout);
    return pending.then((outcome) => {
      stopTimer(timer);
      this.#cleanedUp(record, outcome, controller);
    });
  }

  #cleanedUp(
    record: TaskRecord,
    outcome: Outcome,
    controller: AbortController,
  ): undefined {
    if (outcome === TIMED_OUT) {
      const error = this.#timedOut(record, Stage.Cleanup);
      controller.abort(error);
      this.#record(record, Stage.Cleanup, error);
    } else if (outcome !== SETTLED) {
      this.#record(record, Stage.Cleanup, outcome.error);
    }
  }

  /**
   * Calls one stage that is awaited (initialize, cleanup). A synchronous
   * outcome is returned as it is, so a run of synchronous stages costs no
   * promise each; `#wake` can end the wait early.
   */
  #callStage(
    record: TaskRecord,
    fn: StageFn,
    signal: AbortSignal,
  ): Outcome | Promise<Outcome> {
    let result: unknown;
    try {
      result = fn.call(record.self, signal);
      if (result === undefined) return SETTLED;
    } catch (error) {
      return { error };
    }
    return new Promise<Outcome>((resolve) => {
      this.#wakers.set(record, resolve);
      whenSettled(
        result,
        () => resolve(SETTLED),
        (error) => resolve({ error }),
      );
    }).then((outcome) => {
      this.#wakers.delete(record);
      return outcome;
    });
  }

  // --- bookkeeping and events -----------------------------------------------

  #timedOut(record: TaskRecord, stage: Stage): ShutdownTimeoutError {
    return new ShutdownTimeoutError(record.name, stage, this.#shutdownTimeout!);
  }

  /** Records a failure; every failure during the run stops the manager. */
  #fail(record: TaskRecord, stage: Stage, cause: unknown): void {
    this.#record(record, stage, cause);
    this.#requestStop(
      abortError(`task "${record.name}" failed in ${stage}`),
      false,
    );
  }

  #record(record: TaskRecord, stage: Stage, cause: unknown): void {
    const error = new TaskError(record.name, stage, cause, record.type);
    record.failed = true;
    this.#lastErrors.set(record, cause);
    this.#setTaskState(record, "failed");
    this.#errors.push(error);
    if (this.#events.listens("taskerror")) {
      this.#events.dispatch(new TaskErrorEvent(error));
    }
  }

  /** The one place that changes what is in flight. */
  #setInFlight(record: TaskRecord, stage: Stage | undefined): void {
    const before = record.inFlight !== undefined;
    record.inFlight = stage;
    const after = stage !== undefined;
    if (before === after) return;
    this.#inFlight += after ? 1 : -1;
    if (record.dynamic) {
      if (after) this.#dynamic.add(record);
      else this.#dynamic.delete(record);
    }
  }

  /** A new record, and its restart budget if it has a policy. */
  #newRecord(
    name: string,
    stages: Stages,
    options: ReadOptions,
    dynamic: boolean,
  ): TaskRecord {
    const restarts = options.restart !== undefined;
    const record = new TaskRecord(
      name,
      options.type,
      stages,
      restarts,
      dynamic,
    );
    if (restarts) {
      this.#budgets.set(record, new RestartBudget(options.restart!));
    }
    return record;
  }

  /** `record`'s restart budget; undefined for a `temporary` task. */
  #budgetOf(record: TaskRecord): RestartBudget | undefined {
    return record.restarts ? this.#budgets.get(record) : undefined;
  }

  /**
   * A dynamic task that ended has left the snapshot: the engine forgets it,
   * and its last failure and budget (whose yield timer must not outlive it).
   */
  #retire(record: TaskRecord): void {
    if (!record.dynamic) return;
    if (this.#lastErrors.size > 0) this.#lastErrors.delete(record);
    if (record.restarts) {
      this.#budgets.get(record)?.yielder?.stop();
      this.#budgets.delete(record);
    }
  }

  #setState(to: ManagerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#since = Date.now();
    if (this.#events.listens("statechange")) {
      this.#events.dispatch(new ManagerStateEvent(from, to));
    }
  }

  /** `now`: a stamp taken once for many tasks changing together. */
  #setTaskState(record: TaskRecord, state: TaskState, now?: number): void {
    if (record.state === state) return;
    record.state = state;
    record.since = now ?? stamp();
  }

  /** Ends the wait `record` has in flight, if any. */
  #wake(record: TaskRecord, outcome: Outcome): void {
    this.#wakers.get(record)?.(outcome);
  }

  #emit(
    type: TaskEventType,
    record: TaskRecord,
    error: unknown, // NO_ERROR for none: a task may fail with undefined
    delay?: number,
  ): void {
    if (!this.#events.listens(type)) return;
    const init: { error?: unknown; delay?: number } = {};
    if (error !== NO_ERROR) init.error = error;
    if (delay !== undefined) init.delay = delay;
    this.#events.dispatch(
      new TaskEvent(
        type,
        record.name,
        this.#budgetOf(record)?.attempt ?? 1,
        init,
      ),
    );
  }

  /** Subscribes to `signal`'s abort; throws, changing nothing, for a bad one. */
  #listenForStop(signal: AbortSignal | undefined): () => void {
    if (signal === undefined) return () => {};
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError("run(signal): signal must be an AbortSignal");
    }
    const onAbort = () => this.#requestStop(signal.reason, true);
    try {
      if (signal.aborted) {
        this.#requestStop(signal.reason, true);
        return () => {};
      }
      signal.addEventListener("abort", onAbort, { once: true });
    } catch (cause) {
      throw new TypeError(
        "run(signal): signal does not work as an AbortSignal (reading it or listening to it threw)",
        { cause },
      );
    }
    return () => {
      try {
        signal.removeEventListener("abort", onAbort);
      } catch { /* it worked when added; nothing to undo if it throws now */ }
    };
  }
}

/** The reason the task signals abort with when the manager stops itself. */
export function abortError(message: string): DOMException {
  return new DOMException(
    `the task manager is stopping: ${message}`,
    "AbortError",
  );
}
