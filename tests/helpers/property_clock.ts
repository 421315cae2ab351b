/**
 * A virtual clock for the property tests. While installed it stands in for
 * the global `setTimeout` and `clearTimeout`, so the manager's shutdown
 * deadlines run on virtual time; the harness schedules its own delays on the
 * same queue. Nothing fires by itself: the driver fires one timer at a time,
 * earliest first (ties in the order they were set), which makes every run
 * fast and exactly replayable.
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
    | { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout }
    | undefined;

  /** Schedules a harness callback `ms` virtual milliseconds from now. */
  schedule(ms: number, fn: () => void): number {
    return this.#add("harness", ms, fn);
  }

  /** Replaces the global timer functions until {@linkcode uninstall}. */
  install(listener: ClockListener): void {
    if (this.#saved) throw new Error("the virtual clock is already installed");
    const g = globalThis as unknown as Record<string, unknown>;
    this.#saved = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
    };
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

  /** Puts the real timer functions back. */
  uninstall(): void {
    if (!this.#saved) return;
    globalThis.setTimeout = this.#saved.setTimeout;
    globalThis.clearTimeout = this.#saved.clearTimeout;
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
