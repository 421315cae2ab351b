import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { Stage, TaskError, TaskManager } from "../mod.ts";
import { runMain, type RunMainOptions } from "../src/signals/mod.ts";
import { runMainWith, SignalPresses } from "../src/signals/run_main.ts";
import { FakeRuntime } from "./fixtures/fake_runtime.ts";
import { guarded } from "./helpers/child.ts";
import { latch, settle, withMockTimers } from "./helpers/tasks.ts";

/** A manager whose run the test ends by hand, recording the signal it got. */
class ScriptedManager {
  signal: AbortSignal | undefined;
  readonly started: Promise<void>;
  #start!: () => void;
  #finish!: (errors: unknown[]) => void;
  #fail!: (error: unknown) => void;
  constructor() {
    this.started = new Promise((resolve) => this.#start = resolve);
  }
  run(signal?: AbortSignal): Promise<unknown[]> {
    this.signal = signal;
    this.#start();
    return new Promise((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
  }
  finish(errors: unknown[] = []) {
    this.#finish(errors);
  }
  fail(error: unknown) {
    this.#fail(error);
  }
}

/** Runs runMainWith on a fake runtime with a hand-moved clock. */
function start(manager: ScriptedManager, options: RunMainOptions = {}) {
  const runtime = new FakeRuntime();
  const lines: [string, unknown][] = [];
  let clock = 0;
  const done = runMainWith(
    runtime,
    manager,
    {
      reporter: (line, error) => lines.push([line, error]),
      exit: (code) => runtime.exit(code),
      ...options,
    },
    () => clock,
  );
  return {
    runtime,
    lines,
    done: guarded(done, 30_000, "runMain's exit"),
    at(ms: number) {
      clock = ms;
    },
  };
}

test("SignalPresses: a repeat of the first signal within the window is the same press", () => {
  const presses = new SignalPresses(300);
  assert.equal(presses.first, undefined);
  assert.equal(presses.record("SIGINT", 1000), "first");
  assert.equal(presses.record("SIGINT", 1022), "duplicate");
  assert.equal(presses.record("SIGINT", 1299), "duplicate");
  assert.equal(presses.record("SIGINT", 1300), "again");
  assert.equal(presses.first, "SIGINT");
  const other = new SignalPresses(300);
  other.record("SIGINT", 0);
  assert.equal(other.record("SIGTERM", 5), "again", "another signal is new");
  const zero = new SignalPresses(0);
  zero.record("SIGTERM", 0);
  assert.equal(zero.record("SIGTERM", 0), "again");
  const byDefault = new SignalPresses();
  byDefault.record("SIGINT", 0);
  assert.equal(byDefault.record("SIGINT", 299), "duplicate");
  assert.equal(byDefault.record("SIGINT", 300), "again");
});

test("runMain: the first signal stops the manager with a reason naming it; a clean stop exits 0", async () => {
  const manager = new ScriptedManager();
  const run = start(manager);
  await manager.started;
  assert.equal(run.runtime.count("SIGINT").length, 1);
  assert.equal(run.runtime.count("SIGTERM").length, 1);
  run.runtime.deliver("SIGTERM");
  assert.equal(manager.signal?.aborted, true);
  assert.equal((manager.signal?.reason as Error).name, "AbortError");
  assert.equal((manager.signal?.reason as Error).message, "received SIGTERM");
  manager.finish([]);
  await run.done;
  assert.deepEqual(run.runtime.exits, [0]);
  assert.deepEqual(run.lines, []);
  assert.equal(run.runtime.total(), 0, "every listener removed");
  assert.equal(run.runtime.flushes, 1, "flushed before exiting");
});

test("runMain: signalExitCode '128+n' exits 128 + the first signal's number", async () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    const manager = new ScriptedManager();
    const run = start(manager, { signalExitCode: "128+n" });
    await manager.started;
    run.runtime.deliver(signal);
    manager.finish([]);
    await run.done;
    assert.deepEqual(run.runtime.exits, [code]);
  }
  // Without a signal (the tasks finished by themselves) it is still 0.
  const manager = new ScriptedManager();
  const run = start(manager, { signalExitCode: "128+n" });
  manager.finish([]);
  await run.done;
  assert.deepEqual(run.runtime.exits, [0]);
});

test("runMain: task errors are reported one line each with task and stage, and exit 1", async () => {
  const manager = new ScriptedManager();
  const run = start(manager);
  const errors = [
    new TaskError("db", Stage.Initialize, new Error("refused\n  at line 2")),
    new TaskError("cache", Stage.Cleanup, "disk full"),
  ];
  manager.finish(errors);
  await run.done;
  assert.deepEqual(run.runtime.exits, [1]);
  assert.deepEqual(run.lines, [
    ['goasync: task "db" failed in initialize: refused | at line 2', errors[0]],
    ['goasync: task "cache" failed in cleanup: disk full', errors[1]],
  ]);
  assert.equal(run.runtime.total(), 0);
});

test("runMain: errors go to stderr without a reporter, and when the reporter throws", async () => {
  for (
    const reporter of [undefined, () => {
      throw new Error("reporter broke");
    }]
  ) {
    const manager = new ScriptedManager();
    const runtime = new FakeRuntime();
    const done = runMainWith(runtime, manager, {
      reporter,
      exit: (code) => runtime.exit(code),
    });
    manager.finish([new TaskError("api", Stage.Execute, new Error("boom"))]);
    await guarded(done);
    assert.deepEqual(runtime.stderr, [
      'goasync: task "api" failed in execute: boom\n',
    ]);
    assert.deepEqual(runtime.exits, [1]);
  }
});

test("runMain: the same signal again within the window is ignored; after it, exits at once with 130", async () => {
  const manager = new ScriptedManager();
  const run = start(manager);
  await manager.started;
  run.at(1000);
  run.runtime.deliver("SIGINT");
  run.at(1022); // a wrapper's copy of the same Ctrl-C
  run.runtime.deliver("SIGINT");
  run.at(1299);
  run.runtime.deliver("SIGINT");
  await Promise.resolve();
  assert.deepEqual(run.runtime.exits, []);
  run.at(1300);
  run.runtime.deliver("SIGINT");
  await run.done;
  assert.deepEqual(run.runtime.exits, [130]);
  assert.equal(
    run.lines[0][0],
    "goasync: received SIGINT again while shutting down; exiting at once with code 130",
  );
  assert.equal(run.runtime.total(), 0);
  manager.finish([]); // the abandoned manager ending later changes nothing
  await Promise.resolve();
  assert.deepEqual(run.runtime.exits, [130]);
});

test("runMain: a different signal during shutdown exits at once with its own code", async () => {
  const manager = new ScriptedManager();
  const run = start(manager, { duplicateWindow: 10_000 });
  await manager.started;
  run.runtime.deliver("SIGINT");
  run.at(5);
  run.runtime.deliver("SIGTERM");
  await run.done;
  assert.deepEqual(run.runtime.exits, [143]);
  assert.match(
    run.lines[0][0],
    /received SIGTERM while shutting down after SIGINT/,
  );
});

test("runMain: a forced exit wins over a clean end that is still flushing", async () => {
  const manager = new ScriptedManager();
  const run = start(manager);
  const flushed = latch();
  run.runtime.flushGate = flushed.promise;
  await manager.started;
  run.runtime.deliver("SIGTERM");
  manager.finish([]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(run.runtime.exits, [], "waits for the flush");
  run.at(1000);
  run.runtime.deliver("SIGTERM");
  flushed.resolve();
  await run.done;
  assert.deepEqual(run.runtime.exits, [143]);
});

test("runMain: shutdownTimeout after the first signal reports and exits 1", async () => {
  const manager = new ScriptedManager();
  const run = start(manager, { shutdownTimeout: 5 });
  await manager.started;
  run.runtime.deliver("SIGTERM");
  await run.done; // the manager never finishes
  assert.deepEqual(run.runtime.exits, [1]);
  assert.equal(
    run.lines[0][0],
    "goasync: shutdown did not finish within 5 ms of SIGTERM; exiting with code 1",
  );
  assert.equal(run.runtime.total(), 0);
});

test("runMain: a manager that cannot run is reported and exits 1", async () => {
  const manager = new TaskManager();
  const first = new AbortController();
  const ran = manager.run(first.signal); // runMain's run is now the second
  const run = start(manager as unknown as ScriptedManager);
  await run.done;
  assert.deepEqual(run.runtime.exits, [1]);
  assert.match(
    run.lines[0][0],
    /^goasync: the task manager could not run: TaskManager\.run was already called/,
  );
  first.abort();
  assert.deepEqual(await ran, []);
  const odd = { run: () => Promise.resolve("not a list") };
  const run2 = start(odd as unknown as ScriptedManager);
  await run2.done;
  assert.deepEqual(run2.runtime.exits, [1]);
  assert.match(
    run2.lines[0][0],
    /resolved with "not a list", not a list of errors/,
  );
});

test("runMain with a real TaskManager: a signal stops the tasks, aborted tasks are no errors", async () => {
  const manager = new TaskManager();
  const events: string[] = [];
  const executing = latch();
  manager.addTask("server", {
    execute: (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), {
          once: true,
        })
      ),
    cleanup: () => void events.push("server cleaned up"),
  });
  manager.addTask("timer", {
    execute: (signal) =>
      new Promise<void>((resolve) => {
        events.push("ready");
        executing.resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    cleanup: () => void events.push("timer cleaned up"),
  });
  const run = start(manager as unknown as ScriptedManager);
  await executing.promise;
  run.runtime.deliver("SIGINT");
  await run.done;
  assert.deepEqual(run.runtime.exits, [0]);
  assert.deepEqual(run.lines, []);
  assert.deepEqual(events, ["ready", "timer cleaned up", "server cleaned up"]);
});

test("runMain rejects bad input with clear errors and installs nothing", async () => {
  const runtime = new FakeRuntime();
  const manager = new ScriptedManager();
  const cases: [unknown, RunMainOptions, RegExp][] = [
    [{}, {}, /manager must be a TaskManager/],
    [null, {}, /manager must be a TaskManager/],
    [manager, { signals: [] }, /non-empty array/],
    [manager, { signals: ["SIGNOPE" as "SIGINT"] }, /unknown signal "SIGNOPE"/],
    [manager, { signals: ["SIGBREAK"] }, /SIGBREAK does not exist/],
    [manager, { shutdownTimeout: -1 }, /shutdownTimeout must be/],
    [manager, { duplicateWindow: Number.NaN }, /duplicateWindow must be/],
    [manager, { signalExitCode: "143" as "zero" }, /signalExitCode must be/],
    [
      manager,
      { reporter: "stderr" as unknown as () => void },
      /reporter must be a function/,
    ],
    [manager, { exit: 1 as unknown as () => void }, /exit must be a function/],
  ];
  for (const [candidate, options, message] of cases) {
    assert.throws(
      () => runMainWith(runtime, candidate as ScriptedManager, options),
      message,
    );
  }
  assert.equal(runtime.total(), 0);
  assert.equal(manager.signal, undefined, "the manager was never run");
  // The public function reports the same errors as a rejected promise.
  await assert.rejects(
    runMain({} as TaskManager),
    (error: unknown) => error instanceof TypeError,
  );
});

test("runMain listens for SIGINT and SIGTERM by default, SIGINT and SIGBREAK on Windows", async () => {
  for (
    const [platform, expected] of [
      ["linux", ["SIGINT", "SIGTERM"]],
      ["bsd", ["SIGINT", "SIGTERM"]],
      ["windows", ["SIGBREAK", "SIGINT"]],
    ] as const
  ) {
    const runtime = new FakeRuntime(platform);
    const manager = new ScriptedManager();
    const done = runMainWith(runtime, manager, {
      exit: (code) => runtime.exit(code),
    });
    await manager.started;
    const listening = [...runtime.listeners].filter(([, l]) => l.length > 0)
      .map(([signal]) => signal).sort();
    assert.deepEqual(listening, expected, platform);
    manager.finish([]);
    await guarded(done);
    assert.equal(runtime.total(), 0);
  }
});

test("runMain: an async reporter that rejects falls back to stderr; one that resolves is waited for", async () => {
  const manager = new ScriptedManager();
  const runtime = new FakeRuntime();
  const reported = latch();
  const done = runMainWith(runtime, manager, {
    reporter: async () => {
      await reported.promise;
      throw new Error("the log service is down");
    },
    exit: (code) => runtime.exit(code),
  });
  manager.finish([new TaskError("api", Stage.Execute, new Error("boom"))]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(runtime.exits, [], "waits for the reporter");
  reported.resolve();
  await guarded(done);
  assert.deepEqual(runtime.stderr, [
    'goasync: task "api" failed in execute: boom\n',
  ]);
  assert.deepEqual(runtime.exits, [1]);
});

test("runMain: a wrong option type is a TypeError, a number out of range a RangeError", () => {
  const runtime = new FakeRuntime();
  const manager = new ScriptedManager();
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [{ shutdownTimeout: "100" }, TypeError, /shutdownTimeout/],
    [{ shutdownTimeout: -1 }, RangeError, /shutdownTimeout/],
    [{ shutdownTimeout: Number.NaN }, RangeError, /shutdownTimeout/],
    [{ shutdownTimeout: 2 ** 31 }, RangeError, /shutdownTimeout/],
    [{ duplicateWindow: "300" }, TypeError, /duplicateWindow/],
    [{ duplicateWindow: -5 }, RangeError, /duplicateWindow/],
    [{ signalExitCode: 143 }, TypeError, /signalExitCode/],
    [{ signals: "SIGINT" }, TypeError, /signals must be a non-empty array/],
    [{ signals: [2] }, TypeError, /unknown signal 2/],
    [null, TypeError, /options must be an object/],
    ["fast", TypeError, /options must be an object/],
  ];
  for (const [options, kind, message] of cases) {
    assert.throws(
      () => runMainWith(runtime, manager, options as RunMainOptions),
      (error: unknown) =>
        error instanceof kind && message.test((error as Error).message),
      `${JSON.stringify(options)}`,
    );
  }
  assert.equal(runtime.total(), 0);
});

/** A manager that drains on an outside stop until the test ends the drain. */
class DrainingManager extends EventTarget {
  state = "idle";
  readonly #end = latch<unknown[]>();
  run(signal: AbortSignal): Promise<unknown[]> {
    this.#enter("running");
    signal.addEventListener("abort", () => this.#enter("draining"));
    return this.#end.promise;
  }
  endDrain() {
    this.#enter("stopping");
  }
  finish() {
    this.#enter("stopped");
    this.#end.resolve([]);
  }
  #enter(state: string) {
    this.state = state;
    this.dispatchEvent(new Event("statechange"));
  }
}

test("runMain: shutdownTimeout counts from the end of the manager's drain", async () => {
  await withMockTimers(async () => {
    const manager = new DrainingManager();
    const run = start(manager as unknown as ScriptedManager, {
      shutdownTimeout: 1000,
    });
    run.runtime.deliver("SIGTERM");
    assert.equal(manager.state, "draining");
    mock.timers.tick(10_000); // a long drain: no deadline yet
    await settle();
    assert.deepEqual(run.runtime.exits, []);
    manager.endDrain();
    mock.timers.tick(999);
    await settle();
    assert.deepEqual(run.runtime.exits, []);
    mock.timers.tick(1);
    await run.done;
    assert.deepEqual(run.runtime.exits, [1]);
    assert.equal(
      run.lines[0][0],
      "goasync: shutdown did not finish within 1000 ms of the end of the drain after SIGTERM; exiting with code 1",
    );
    assert.equal(run.runtime.total(), 0);
  });
});

test("runMain: a second signal during the manager's drain exits at once", async () => {
  await withMockTimers(async () => {
    const manager = new DrainingManager();
    const run = start(manager as unknown as ScriptedManager, {
      shutdownTimeout: 1000,
    });
    run.runtime.deliver("SIGTERM");
    run.at(500);
    run.runtime.deliver("SIGTERM");
    await run.done;
    assert.equal(manager.state, "draining");
    assert.deepEqual(run.runtime.exits, [143]);
    manager.endDrain(); // the drain ending later arms no deadline
    mock.timers.tick(10_000);
    await settle();
    assert.deepEqual(run.runtime.exits, [143]);
  });
});
