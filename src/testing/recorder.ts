/**
 * The bookkeeping every fake shares: recording its calls in its log, and
 * waking a test that waits for a call.
 *
 * @module
 */

import { type Call, CallLog, claimName } from "./call_log.ts";

/** Options every fake accepts. */
export interface FakeOptions {
  /**
   * The log to record calls in; share one between fakes to check the order
   * of calls across them. Default: a new log of the fake's own.
   */
  log?: CallLog;
}

/** One fake's calls, and the tests waiting for calls not yet made. */
export class Recorder {
  readonly name: string;
  readonly log: CallLog;
  readonly calls: Call[] = [];
  readonly #kind: string;
  readonly #methods: readonly string[];
  readonly #waiters: { method: string; nth: number; wake(c: Call): void }[] =
    [];

  constructor(
    kind: string,
    methods: readonly string[],
    name: string,
    options: FakeOptions | undefined,
  ) {
    if (
      options !== undefined && (options === null || typeof options !== "object")
    ) {
      throw new TypeError(`${kind}: options must be an object`);
    }
    const log = options?.log ?? new CallLog();
    claimName(log, name, kind);
    this.#kind = kind;
    this.#methods = methods;
    this.name = name;
    this.log = log;
  }

  /** Throws unless `method` is one of the fake's, so a typo cannot hang a test. */
  check(method: unknown, caller: string): void {
    if (typeof method !== "string" || !this.#methods.includes(method)) {
      throw new TypeError(
        `${this.#kind}.${caller}: unknown method ${
          typeof method === "string" ? `"${method}"` : String(method)
        }; expected one of ${this.#methods.map((m) => `"${m}"`).join(", ")}`,
      );
    }
  }

  /** Records a call; returns which call of `method` it is (0 for the first). */
  record(method: string, args: readonly unknown[]): number {
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

  callsOf(method: string): Call[] {
    this.check(method, "callsOf");
    return this.calls.filter((call) => call.method === method);
  }

  called(method: string, nth: number): Promise<Call> {
    this.check(method, "called");
    if (!Number.isSafeInteger(nth) || nth < 0) {
      throw new RangeError(
        `${this.#kind}.called: nth must be a whole number from 0, got ${nth}`,
      );
    }
    const call = this.calls.find((c) => c.method === method && c.nth === nth);
    if (call) return Promise.resolve(call);
    return new Promise((wake) => this.#waiters.push({ method, nth, wake }));
  }
}
