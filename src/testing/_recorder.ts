/**
 * The bookkeeping every fake shares: its methods' stubs, recording each call
 * in its log, and waking a test that waits for a call.
 *
 * @module
 */

import { checkName, checkOptions } from "../_internal/checks.ts";
import { show } from "../_internal/render.ts";
import { type Call, CallLog } from "./call_log.ts";
import type { FakeOptions } from "./fake.ts";
import { checkNth, type Impl, StubTable } from "./_stub_table.ts";

/** The names taken in each log, so that each name stands for one fake. */
const claimed = new WeakMap<CallLog, Set<string>>();

/** One fake's methods, its calls, and the tests waiting for calls not yet made. */
export class Recorder<M extends string> {
  readonly name: string;
  readonly log: CallLog;
  readonly calls: Call[] = [];
  readonly #kind: string;
  readonly #stubs = new Map<string, StubTable>();
  readonly #waiters: { method: string; nth: number; wake(c: Call): void }[] =
    [];

  /**
   * `kind` names the fake's class in messages.
   *
   * @throws {Error} When another fake already uses `name` in the log.
   */
  constructor(kind: string, name: unknown, options: unknown) {
    const log = checkOptions<FakeOptions>(options, `${kind}: options`).log ??
      new CallLog();
    checkName(name, kind);
    if (!(log instanceof CallLog)) {
      throw new TypeError(
        `${kind}: options.log must be a CallLog, got ${show(log)}`,
      );
    }
    let names = claimed.get(log);
    if (!names) claimed.set(log, names = new Set());
    if (names.has(name)) {
      throw new Error(
        `${kind}: the log already has a fake named "${name}"; give each fake sharing a log its own name`,
      );
    }
    names.add(name);
    this.#kind = kind;
    this.name = name;
    this.log = log;
  }

  /** Gives the fake its methods, each with what it does until told otherwise. */
  define(defaults: Record<M, Impl>): this {
    for (const [method, impl] of Object.entries<Impl>(defaults)) {
      this.#stubs.set(method, new StubTable(method, impl));
    }
    return this;
  }

  /**
   * The stub of `method`, for `when` to return with the method's own types;
   * a typo throws, so that it cannot hang a test.
   */
  stub(method: unknown): unknown {
    return this.#table(method, "when").stub;
  }

  /** Records a call, then does what its stub says. */
  call(method: M, args: readonly unknown[]): unknown {
    return this.invoke(method, this.record(method, args), args);
  }

  /** Records a call; returns which call of `method` it is (0 for the first). */
  record(method: M, args: readonly unknown[]): number {
    const call = this.log.record(this.name, method, args);
    this.calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (waiter.method === method && waiter.nth === call.nth) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.wake(call);
      }
    }
    return call.nth;
  }

  /** Does what the stub of `method` says for call number `nth`. */
  invoke(method: M, nth: number, args: readonly unknown[]): unknown {
    return this.#table(method, "invoke").invoke(nth, args);
  }

  callsOf(method: M): Call[] {
    this.#table(method, "callsOf");
    return this.calls.filter((call) => call.method === method);
  }

  called(method: M, nth: number): Promise<Call> {
    this.#table(method, "called");
    checkNth(nth, `${this.#kind}.called`);
    const call = this.calls.find((c) => c.method === method && c.nth === nth);
    if (call) return Promise.resolve(call);
    return new Promise((wake) => this.#waiters.push({ method, nth, wake }));
  }

  #table(method: unknown, caller: string): StubTable {
    const table = typeof method === "string"
      ? this.#stubs.get(method)
      : undefined;
    if (table) return table;
    throw new TypeError(
      `${this.#kind}.${caller}: unknown method ${
        show(method)
      }; expected one of ${
        [...this.#stubs.keys()].map((m) => `"${m}"`).join(", ")
      }`,
    );
  }
}
