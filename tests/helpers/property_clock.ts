/**
 * A virtual clock for the property tests. While installed it stands in for
 * the global `setTimeout` and `clearTimeout`, so the manager's shutdown
 * deadlines and backoff waits run on virtual time; the harness schedules its
 * own delays on the same queue. Nothing fires by itself: the driver fires one
 * timer at a time, earliest first (ties in the order they were set), which
 * makes every run fast and exactly replayable.
 *
 * For programs with restart policies it also stands in for `Date.now` (the
 * virtual time: restart windows and `resetAfter` count on it),
 * `performance.now` (each read costs one virtual millisecond, so a restart
 * loop that never waits still sees time pass and lets the event loop turn,
 * as on a real machine) and `Math.random` (a seeded generator, so jittered
 * delays replay). Other programs do not need them, and run faster without.
 *
 * @module
 */

/** Who set a timer: the code under test (through the global) or the harness. */
export type TimerOwner = "global" | "harness";

/** A pending timer. */
export interface VirtualTimer {
  readonly id: number;
  readonly due: number;
  readonly owner: TimerOwner;
  readonly seq: number;
  readonly fn: () => void;
}

/** What the clock reports about timers set through the global functions. */
export interface ClockListener {
  set(id: number, ms: number, due: number): void;
  clear(id: number): void;
  fire(id: number): void;
}

/** Virtual time with one queue of timers. */
export class VirtualClock {
  now = 0;
  #seq = 0;
  readonly #timers = new Map<number, VirtualTimer>();
  #saved:
    | {
      setTimeout: typeof setTimeout;
      clearTimeout: typeof clearTimeout;
      clocks?: {
        dateNow: typeof Date.now;
        random: typeof Math.random;
        performanceNow: PropertyDescriptor | undefined;
      };
    }
    | undefined;

  /** Schedules a harness callback `ms` virtual milliseconds from now. */
  schedule(ms: number, fn: () => void): number {
    return this.#add("harness", ms, fn);
  }

  /**
   * Replaces the global timer functions until {@linkcode uninstall}; with a
   * `seed`, also `Date.now`, `performance.now` and `Math.random`.
   */
  install(listener: ClockListener, seed?: number): void {
    if (this.#saved) throw new Error("the virtual clock is already installed");
    const g = globalThis as unknown as Record<string, unknown>;
    this.#saved = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
    };
    if (seed !== undefined) {
      this.#saved.clocks = {
        dateNow: Date.now,
        random: Math.random,
        performanceNow: Object.getOwnPropertyDescriptor(performance, "now"),
      };
      Date.now = () => this.now;
      Math.random = seeded(seed);
      Object.defineProperty(performance, "now", {
        value: () => ++this.now,
        configurable: true,
        writable: true,
      });
    }
    g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
      if (typeof fn !== "function") {
        throw new TypeError("the virtual clock takes only functions");
      }
      const delay = typeof ms === "number" && ms > 0 ? ms : 0;
      const id = this.#add("global", delay, () => {
        listener.fire(id);
        fn(...args);
      });
      listener.set(id, delay, this.now + delay);
      return id;
    };
    g.clearTimeout = (id: unknown) => {
      const timer = this.#timers.get(id as number);
      if (timer?.owner !== "global") return;
      this.#timers.delete(timer.id);
      listener.clear(timer.id);
    };
  }

  /** Puts the real functions back. */
  uninstall(): void {
    if (!this.#saved) return;
    const saved = this.#saved;
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
    const clocks = saved.clocks;
    if (clocks) {
      Date.now = clocks.dateNow;
      Math.random = clocks.random;
      if (clocks.performanceNow) {
        Object.defineProperty(performance, "now", clocks.performanceNow);
      } else delete (performance as { now?: unknown }).now;
    }
    this.#saved = undefined;
  }

  /** The timer that falls due first, if any. */
  next(): VirtualTimer | undefined {
    let first: VirtualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        first === undefined || timer.due < first.due ||
        (timer.due === first.due && timer.seq < first.seq)
      ) first = timer;
    }
    return first;
  }

  /** Advances virtual time to `timer` and runs it. */
  fire(timer: VirtualTimer): void {
    this.#timers.delete(timer.id);
    this.now = Math.max(this.now, timer.due);
    timer.fn();
  }

  /** How many timers set through the globals are still pending. */
  pendingGlobal(): number {
    let count = 0;
    for (const timer of this.#timers.values()) {
      if (timer.owner === "global") count++;
    }
    return count;
  }

  #add(owner: TimerOwner, ms: number, fn: () => void): number {
    const seq = ++this.#seq;
    this.#timers.set(seq, { id: seq, due: this.now + ms, owner, seq, fn });
    return seq;
  }
}

/** A small seeded generator of numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
