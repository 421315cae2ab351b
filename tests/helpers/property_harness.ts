/**
 * Runs one random {@linkcode Program} against a task manager on virtual time
 * and records everything that happens, in order, as a log of events: each
 * stage called, returned, settled and observed by the manager, each signal
 * aborted, each task added, each timer the manager set, cleared or saw fire,
 * and how `run` settled. `property_model.ts` then checks the log.
 *
 * The manager's view of a stage's promise is recorded exactly: the promise a
 * stage returns is a native promise with an own `then` that logs when the
 * manager's callbacks run. A sync stage is observed when it returns.
 *
 * The driver fires one virtual timer at a time and lets every microtask run
 * in between (a `setImmediate` turn), so each run is deterministic. When the
 * program listens, the manager's events are logged too (`ev`), in the order
 * they are dispatched. A program with restart policies that would run on and
 * on (a task that keeps failing, a run nothing stops) is stopped with
 * `[Symbol.asyncDispose]` once it has made enough restarts or turns, or once
 * nothing else is left to happen: after that, it must end.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type {
  AsyncTaskManager,
  ExecuteTask,
  ExecuteTaskOptions,
  Task,
  TaskManagerOptions,
  TaskOptions,
  TaskType,
} from "../../mod.ts";
import { TaskManager } from "../../mod.ts";
import { VirtualClock } from "./property_clock.ts";
import type {
  Behavior,
  Delay,
  Effect,
  Outcome,
  Program,
  StageSpec,
  TaskSpec,
  Value,
} from "./property_program.ts";

/** A stage of a task, as the log names it. */
export type StageName = "initialize" | "execute" | "cleanup";

/** One thing that happened, in the order it happened. */
export type LogEvent =
  & { seq: number; time: number }
  & (
    | { t: "add"; id: number }
    | { t: "add-done"; id: number; threw: boolean; error?: unknown }
    | { t: "run-call" }
    | { t: "run-return" }
    | {
      t: "call";
      id: number;
      stage: StageName;
      self: unknown;
      signal: unknown;
      abortedAtCall: boolean;
    }
    | {
      t: "return";
      id: number;
      stage: StageName;
      how: "ok" | "throw" | "promise";
      value?: unknown;
    }
    | { t: "then-call"; id: number; stage: StageName }
    | {
      t: "settle";
      id: number;
      stage: StageName;
      ok: boolean;
      value?: unknown;
    }
    | { t: "obs"; id: number; stage: StageName; ok: boolean; value?: unknown }
    | {
      t: "abort";
      id: number;
      kind: "task" | "cleanup";
      signal: AbortSignal;
      reason: unknown;
    }
    | { t: "caller-abort" }
    | { t: "caller-abort-done"; reason: unknown }
    | { t: "timer-set"; timer: number; ms: number; due: number }
    | { t: "timer-clear"; timer: number }
    | { t: "timer-fire"; timer: number }
    | { t: "step" }
    | { t: "decoy"; id: number; stage: string }
    | {
      t: "settled";
      ok: boolean;
      value: unknown;
      snapshot?: unknown[];
      listeners: number;
      pendingTimers: number;
      /** `manager.snapshot()` when run resolved, if the manager has one. */
      managerSnapshot?: unknown;
      /** What `manager.snapshot()` threw then, if it did. */
      snapshotError?: unknown;
    }
    | ManagerEvent
    | { t: "stop-call" }
    | { t: "stop-done"; threw: boolean; error?: unknown }
    | { t: "dispose-call" }
    | { t: "dispose-done"; ok: boolean }
  );

/** One event the manager dispatched, as its listener saw it. */
export type ManagerEvent = {
  t: "ev";
  type: string;
  /** The event object itself. */
  event: Event;
  /** statechange */
  from?: string;
  to?: string;
  /** taskstart, taskstop, taskrestart */
  name?: string;
  attempt?: number;
  hasError?: boolean;
  error?: unknown;
  hasDelay?: boolean;
  delay?: number;
  /** taskerror */
  taskError?: unknown;
  /**
   * In programs with restart policies: the task as `snapshot()` showed it
   * from the listener (`null`: not listed; `undefined`: snapshot() threw).
   */
  view?: Record<string, unknown> | null;
};

/** A task the harness added (or tried to add). */
export interface TaskRecord {
  id: number;
  name: string;
  spec: TaskSpec;
  /** The object or function handed to the manager. */
  task: Task | ExecuteTask | ((signal: AbortSignal) => unknown);
  /** Where it came from: before run, a later timer, or a stage's effect. */
  origin: "before" | "later" | "effect";
}

/** Everything a run left behind, for the model to check. */
export interface RunRecord {
  program: Program;
  log: LogEvent[];
  tasks: TaskRecord[];
  hasCaller: boolean;
  settled: boolean;
  /** The array `run` resolved with, as it is after the driver finished. */
  result?: unknown;
  /** Listeners still on the caller's signal at the very end. */
  endListeners: number;
  /** Timers the manager set and neither cleared nor saw fire, at the end. */
  endPendingTimers: number;
  /** Whether the harness disposed of the manager to end the run. */
  disposed: boolean;
}

/** A manager under test: what every manager offers, and what may be watched. */
export type ManagerUnderTest =
  & AsyncTaskManager
  & Partial<
    Pick<
      TaskManager,
      "stop" | "snapshot" | "addEventListener" | typeof Symbol.asyncDispose
    >
  >;

/** Builds the manager under test; mutants in the tests replace it. */
export type ManagerFactory = (options: TaskManagerOptions) => ManagerUnderTest;

/** Lets every queued microtask run: one turn of the event loop. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const MAX_STEPS = 10_000;

/** Past these, a program with restart policies is disposed of (and must end). */
const BACKSTOP = { restarts: 40, calls: 300, steps: 1_000, time: 100_000 };

const EVENT_TYPES = [
  "statechange",
  "taskstart",
  "taskstop",
  "taskrestart",
  "taskerror",
] as const;

/** Runs `program` on virtual time and returns the log of what happened. */
export async function runProgram(
  program: Program,
  factory: ManagerFactory = (options) => new TaskManager(options),
): Promise<RunRecord> {
  return await new Harness(program, factory).drive();
}

class Harness {
  readonly #program: Program;
  readonly #factory: ManagerFactory;
  readonly #clock = new VirtualClock();
  readonly #log: LogEvent[] = [];
  readonly #tasks: TaskRecord[] = [];
  readonly #seenSignals = new WeakSet<AbortSignal>();
  readonly #listeners = new Map<unknown, EventListener>();
  /** How many times each stage of each task was called, by task id. */
  readonly #callCounts: Record<StageName, number>[] = [];
  #manager: ManagerUnderTest | undefined;
  #caller: AbortController | undefined;
  #settled = false;
  #result: unknown = undefined;
  #restarts = 0;
  #calls = 0;
  #disposed = false;

  constructor(program: Program, factory: ManagerFactory) {
    this.#program = program;
    this.#factory = factory;
  }

  async drive(): Promise<RunRecord> {
    const program = this.#program;
    const clock = this.#clock;
    clock.install({
      set: (timer, ms, due) => this.#push({ t: "timer-set", timer, ms, due }),
      clear: (timer) => this.#push({ t: "timer-clear", timer }),
      fire: (timer) => this.#push({ t: "timer-fire", timer }),
    }, program.kind === "restart" ? program.random ?? 0 : undefined);
    const restartMode = program.kind === "restart";
    try {
      const options: TaskManagerOptions = {};
      if (program.shutdownTimeout !== undefined) {
        options.shutdownTimeout = program.shutdownTimeout;
      }
      if (program.drainDelay !== undefined) {
        options.drainDelay = program.drainDelay;
      }
      const manager = this.#manager = this.#factory(options);
      if (program.listen) this.#listen(manager);
      if (program.caller) this.#caller = this.#instrumentedController();
      for (const spec of program.tasks) this.#add(spec, "before");
      for (const { at, task } of program.later) {
        clock.schedule(at, () => this.#add(task, "later"));
      }
      const abortAt = program.caller?.abortAt;
      if (typeof abortAt === "number") {
        clock.schedule(abortAt, () => this.#abortCaller());
      }
      if (abortAt === "pre") this.#abortCaller();
      if (program.stopAt === "pre") this.#stop();
      else if (typeof program.stopAt === "number") {
        clock.schedule(program.stopAt, () => this.#stop());
      }

      this.#push({ t: "run-call" });
      const running = manager.run(this.#caller?.signal);
      this.#push({ t: "run-return" });
      running.then(
        (value) => this.#onSettled(true, value),
        (error) => this.#onSettled(false, error),
      );

      for (let steps = 0;; steps++) {
        await flush();
        if (steps > MAX_STEPS) {
          throw new Error(`the run did not end within ${MAX_STEPS} steps`);
        }
        const busy = this.#restarts >= BACKSTOP.restarts ||
          this.#calls >= BACKSTOP.calls || steps >= BACKSTOP.steps ||
          clock.now >= BACKSTOP.time;
        if (restartMode && busy && !this.#disposed && !this.#settled) {
          this.#push({ t: "step" });
          this.#dispose();
          continue;
        }
        const timer = clock.next();
        if (timer === undefined) {
          if (
            !this.#settled && abortAt === "end" && !this.#caller!.signal.aborted
          ) {
            this.#push({ t: "step" });
            this.#abortCaller();
            continue;
          }
          if (restartMode && !this.#disposed && !this.#settled) {
            this.#push({ t: "step" });
            this.#dispose();
            continue;
          }
          break;
        }
        clock.now = Math.max(clock.now, timer.due);
        this.#push({ t: "step" });
        clock.fire(timer);
      }
      // A second turn: unhandled rejections are reported after a turn ends.
      await flush();
      await flush();
      return {
        program,
        log: this.#log,
        tasks: this.#tasks,
        hasCaller: this.#caller !== undefined,
        settled: this.#settled,
        result: this.#result,
        endListeners: this.#listeners.size,
        endPendingTimers: clock.pendingGlobal(),
        disposed: this.#disposed,
      };
    } finally {
      clock.uninstall();
    }
  }

  #push(event: Record<string, unknown> & { t: string }): void {
    this.#log.push(
      { ...event, seq: this.#log.length, time: this.#clock.now } as LogEvent,
    );
  }

  #onSettled(ok: boolean, value: unknown): void {
    this.#settled = true;
    this.#result = value;
    this.#push({
      t: "settled",
      ok,
      value,
      snapshot: Array.isArray(value) ? [...value] : undefined,
      listeners: this.#listeners.size,
      pendingTimers: this.#clock.pendingGlobal(),
      ...this.#managerSnapshot(),
    });
  }

  /** `manager.snapshot()`, or what it threw (when the checker wants it). */
  #managerSnapshot(): { managerSnapshot?: unknown; snapshotError?: unknown } {
    if (!this.#program.listen) return {};
    try {
      return { managerSnapshot: this.#manager?.snapshot?.() };
    } catch (error) {
      return { snapshotError: error };
    }
  }

  /** Logs every event the manager dispatches, if it dispatches any. */
  #listen(manager: ManagerUnderTest): void {
    if (typeof manager.addEventListener !== "function") return;
    for (const type of EVENT_TYPES) {
      manager.addEventListener(type, (event: Event) => this.#onEvent(event));
    }
  }

  #onEvent(event: Event): void {
    const fields = event as unknown as Record<string, unknown>;
    const entry: Record<string, unknown> & { t: string } = {
      t: "ev",
      type: event.type,
      event,
    };
    if (event.type === "statechange") {
      entry.from = fields.from;
      entry.to = fields.to;
    } else if (event.type === "taskerror") {
      entry.taskError = fields.error;
      entry.view = this.#view(
        (fields.error as { taskName?: unknown })?.taskName,
      );
    } else {
      entry.name = fields.taskName;
      entry.attempt = fields.attempt;
      entry.hasError = Object.hasOwn(event, "error");
      entry.error = fields.error;
      entry.hasDelay = Object.hasOwn(event, "delay");
      entry.delay = fields.delay;
      if (event.type === "taskrestart") this.#restarts++;
      entry.view = this.#view(fields.taskName);
    }
    this.#push(entry);
  }

  /** The task named `name` in the manager's snapshot now (restart programs). */
  #view(name: unknown): Record<string, unknown> | null | undefined {
    if (this.#program.kind !== "restart") return undefined;
    try {
      const tasks = this.#manager!.snapshot?.().tasks ?? [];
      return (tasks.find((task) => task.name === name) ?? null) as
        | Record<string, unknown>
        | null;
    } catch {
      return undefined;
    }
  }

  /** `manager.stop(reason)`, as the program says. */
  #stop(): void {
    const manager = this.#manager!;
    const reason = this.#program.stopReason ?? { kind: "default" as const };
    this.#push({ t: "stop-call" });
    try {
      if (reason.kind === "default") manager.stop!();
      else manager.stop!(this.#materialize(reason, undefined));
      this.#push({ t: "stop-done", threw: false });
    } catch (error) {
      this.#push({ t: "stop-done", threw: true, error });
    }
  }

  /** The backstop: stops without draining; the run must then end. */
  #dispose(): void {
    this.#disposed = true;
    this.#push({ t: "dispose-call" });
    const disposal = this.#manager![Symbol.asyncDispose]!();
    disposal.then(
      () => this.#push({ t: "dispose-done", ok: true }),
      () => this.#push({ t: "dispose-done", ok: false }),
    );
  }

  /** A controller whose signal counts the listeners on it. */
  #instrumentedController(): AbortController {
    const controller = new AbortController();
    const signal = controller.signal;
    const listeners = this.#listeners;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    Object.defineProperties(signal, {
      addEventListener: {
        value(
          type: string,
          listener: EventListenerOrEventListenerObject | null,
          options?: boolean | AddEventListenerOptions,
        ) {
          if (listener === null || listeners.has(listener)) return;
          const once = typeof options === "object" && options?.once === true;
          const wrapper: EventListener = function (this: unknown, event) {
            if (once) listeners.delete(listener);
            return typeof listener === "function"
              ? listener.call(this, event)
              : listener.handleEvent(event);
          };
          listeners.set(listener, wrapper);
          add(type, wrapper, options);
        },
      },
      removeEventListener: {
        value(
          type: string,
          listener: EventListenerOrEventListenerObject | null,
          options?: boolean | EventListenerOptions,
        ) {
          const wrapper = listeners.get(listener);
          if (wrapper === undefined) return;
          listeners.delete(listener);
          remove(type, wrapper, options);
        },
      },
    });
    return controller;
  }

  #abortCaller(): void {
    const caller = this.#caller;
    if (caller === undefined || caller.signal.aborted) return;
    this.#push({ t: "caller-abort" });
    const reason = this.#program.caller!.reason;
    if (reason.kind === "default") caller.abort();
    else caller.abort(this.#materialize(reason, caller.signal));
    this.#push({ t: "caller-abort-done", reason: caller.signal.reason });
  }

  #add(spec: TaskSpec, origin: TaskRecord["origin"]): void {
    const id = this.#tasks.length;
    const name = `n${id}`;
    const task = this.#buildTask(id, spec);
    this.#tasks.push({ id, name, spec, task, origin });
    this.#push({ t: "add", id });
    try {
      if (spec.api === "addTask") {
        this.#manager!.addTask(name, task as Task, taskOptions(spec));
      } else {
        this.#manager!.addExecuteTask(
          name,
          task as ExecuteTask,
          taskOptions(spec) as ExecuteTaskOptions,
        );
      }
      this.#push({ t: "add-done", id, threw: false });
    } catch (error) {
      this.#push({ t: "add-done", id, threw: true, error });
    }
  }

  #buildTask(id: number, spec: TaskSpec): TaskRecord["task"] {
    if (spec.shape === "function") {
      return this.#stage(id, "execute", spec.execute);
    }
    const task: Record<string, unknown> = {
      execute: this.#stage(id, "execute", spec.execute),
    };
    if (spec.api === "addTask") {
      if (spec.initialize) {
        task.initialize = this.#stage(id, "initialize", spec.initialize);
      }
      if (spec.cleanup) task.cleanup = this.#stage(id, "cleanup", spec.cleanup);
    } else if (spec.decoys) {
      const push = this.#push.bind(this);
      task.initialize = () => push({ t: "decoy", id, stage: "initialize" });
      task.cleanup = () => push({ t: "decoy", id, stage: "cleanup" });
    }
    return task as unknown as Task;
  }

  #stage(id: number, stage: StageName, spec: StageSpec) {
    const call = this.#call.bind(this);
    // A function expression, not an arrow: the stage records its `this`.
    return function (this: unknown, signal: AbortSignal): unknown {
      return call(id, stage, spec, this, signal);
    };
  }

  /** What one stage does when the manager calls it. */
  #call(
    id: number,
    stage: StageName,
    spec: StageSpec,
    self: unknown,
    signal: unknown,
  ): unknown {
    const real = signal instanceof AbortSignal ? signal : undefined;
    const counts = this.#callCounts[id] ??= {
      initialize: 0,
      execute: 0,
      cleanup: 0,
    };
    const count = counts[stage]++;
    this.#calls++;
    this.#push({
      t: "call",
      id,
      stage,
      self,
      signal,
      abortedAtCall: real?.aborted ?? false,
    });
    if (real) this.#watch(real, id, stage === "cleanup" ? "cleanup" : "task");
    if (spec.start) this.#effect(spec.start);
    const behavior: Behavior = spec.calls?.[count] ?? spec.behavior;
    if (behavior.kind === "sync") {
      if (behavior.outcome.ok) {
        this.#push({ t: "return", id, stage, how: "ok" });
        return undefined;
      }
      const value = this.#materialize(behavior.outcome.value, real);
      this.#push({ t: "return", id, stage, how: "throw", value });
      throw value;
    }
    const stagePromise = this.#observable(id, stage);
    const settle = (outcome: Outcome) => {
      if (outcome.ok) {
        this.#push({ t: "settle", id, stage, ok: true });
        stagePromise.resolve();
      } else {
        const value = this.#materialize(outcome.value, real);
        this.#push({ t: "settle", id, stage, ok: false, value });
        stagePromise.reject(value);
      }
    };
    if (behavior.kind === "async") {
      this.#after(behavior.delay, () => {
        if (behavior.abortCallerFirst) this.#abortCaller();
        settle(behavior.outcome);
      });
    } else if (behavior.kind === "until-abort") {
      const react = () => {
        if (behavior.onAbort) this.#effect(behavior.onAbort);
        this.#after(behavior.delay, () => settle(behavior.outcome));
      };
      if (real?.aborted) react();
      else real?.addEventListener("abort", react, { once: true });
    }
    this.#push({ t: "return", id, stage, how: "promise" });
    return stagePromise.promise;
  }

  /** Logs every abort of a signal the manager handed to a stage. */
  #watch(signal: AbortSignal, id: number, kind: "task" | "cleanup"): void {
    if (this.#seenSignals.has(signal)) return;
    this.#seenSignals.add(signal);
    signal.addEventListener("abort", () => {
      this.#push({ t: "abort", id, kind, signal, reason: signal.reason });
    }, { once: true });
  }

  #effect(effect: Effect): void {
    if (effect.kind === "abort-caller") this.#abortCaller();
    else this.#add(effect.task, "effect");
  }

  /** Runs `fn` after a virtual delay and then some microtasks. */
  #after(delay: Delay, fn: () => void): void {
    const ticks = (n: number) => {
      if (n === 0) fn();
      else queueMicrotask(() => ticks(n - 1));
    };
    if (delay.ms === undefined) ticks(delay.ticks);
    else this.#clock.schedule(delay.ms, () => ticks(delay.ticks));
  }

  /**
   * A pending native promise whose own `then` logs the manager's attaching
   * and the moment its callbacks run.
   */
  #observable(id: number, stage: StageName) {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const push = this.#push.bind(this);
    const nativeThen = Promise.prototype.then;
    Object.defineProperty(promise, "then", {
      value(onFulfilled?: unknown, onRejected?: unknown) {
        push({ t: "then-call", id, stage });
        return nativeThen.call(
          promise,
          (value: unknown) => {
            push({ t: "obs", id, stage, ok: true });
            return typeof onFulfilled === "function"
              ? onFulfilled(value)
              : value;
          },
          (error: unknown) => {
            push({ t: "obs", id, stage, ok: false, value: error });
            if (typeof onRejected === "function") return onRejected(error);
            throw error;
          },
        );
      },
    });
    return { promise, resolve, reject };
  }

  #materialize(value: Value, signal: AbortSignal | undefined): unknown {
    switch (value.kind) {
      case "value":
        return value.value;
      case "reason":
        return signal?.reason;
      case "abort-error":
        return new DOMException("the stage stopped", "AbortError");
      case "hostile":
        return hostile();
    }
  }
}

/** The third argument of addTask / addExecuteTask for `spec`. */
function taskOptions(spec: TaskSpec): TaskType | TaskOptions {
  const restart = spec.restart;
  if (restart === undefined) {
    return spec.optionsObject ? { type: spec.type } : spec.type;
  }
  const options: TaskOptions = { type: spec.type, restart: restart.policy };
  if (restart.backoff) options.backoff = { ...restart.backoff };
  if (restart.intensity) options.intensity = { ...restart.intensity };
  return options;
}

/** A Proxy on which every operation throws. */
export function hostile(): object {
  const trap = () => {
    throw new Error("hostile value: every operation on it throws");
  };
  return new Proxy({}, {
    get: trap,
    set: trap,
    has: trap,
    ownKeys: trap,
    getPrototypeOf: trap,
    getOwnPropertyDescriptor: trap,
    defineProperty: trap,
    deleteProperty: trap,
  });
}
