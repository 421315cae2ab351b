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
 * in between (a `setImmediate` turn), so each run is deterministic.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type {
  AsyncTaskManager,
  ExecuteTask,
  Task,
  TaskManagerOptions,
} from "../../mod.ts";
import { TaskManager } from "../../mod.ts";
import { VirtualClock } from "./property_clock.ts";
import type {
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
    }
  );

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
}

/** Builds the manager under test; mutants in the tests replace it. */
export type ManagerFactory = (options: TaskManagerOptions) => AsyncTaskManager;

/** Lets every queued microtask run: one turn of the event loop. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const MAX_STEPS = 10_000;

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
  #manager: AsyncTaskManager | undefined;
  #caller: AbortController | undefined;
  #settled = false;
  #result: unknown = undefined;

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
    });
    try {
      const manager = this.#manager = this.#factory(
        program.shutdownTimeout === undefined
          ? {}
          : { shutdownTimeout: program.shutdownTimeout },
      );
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
        const timer = clock.next();
        if (timer === undefined) {
          if (
            !this.#settled && abortAt === "end" && !this.#caller!.signal.aborted
          ) {
            this.#push({ t: "step" });
            this.#abortCaller();
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
    });
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
        this.#manager!.addTask(name, task as Task, spec.type);
      } else {
        this.#manager!.addExecuteTask(
          name,
          task as ExecuteTask,
          spec.type as "strict" | "error",
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
    const behavior = spec.behavior;
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
