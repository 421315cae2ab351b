import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { Stage, TaskManager } from "../mod.ts";
import { forceStop, ForceStopTimeoutError } from "../src/tasks/mod.ts";
import { FakeTask } from "../src/testing/mod.ts";
import { isSettled, settle, withMockTimers } from "./helpers/tasks.ts";
import { spyOnTimers } from "./helpers/timer_spy.ts";
import { msAfterLine, runProgram } from "./helpers/child.ts";

/** The settled state of `promise`, without waiting for it. */
async function outcome(promise: Promise<unknown>) {
  let state: { value: unknown } | { error: unknown } | undefined;
  promise.then((value) => state = { value }, (error) => state = { error });
  await settle();
  return state;
}

test("forceStop refuses a bad timeout with a TypeError or RangeError", () => {
  const task = () => {};
  const cases: [unknown, typeof TypeError, RegExp][] = [
    [null, TypeError, /forceStop: timeoutMs must be a number .* got null/],
    ["100", TypeError, /timeoutMs must be a number of milliseconds, got "100"/],
    [
      -5,
      RangeError,
      /forceStop: timeoutMs must be from 0 to 2147483647 .* got -5/,
    ],
    [NaN, RangeError, /got NaN/],
    [Infinity, RangeError, /got Infinity/],
    [2 ** 40, RangeError, /got 1099511627776/],
  ];
  for (const [timeout, type, message] of cases) {
    // deno-lint-ignore no-explicit-any
    assert.throws(() => forceStop(timeout as any, task), (error) => {
      assert.ok(error instanceof type);
      assert.match((error as Error).message, message);
      return true;
    });
  }
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => forceStop(10, "task" as any),
    /forceStop: task must be a function or an object .* got "task"/,
  );
});

test("forceStop passes initialize and cleanup through, bound to the task", async () => {
  const task = new FakeTask("legacy");
  const wrapped = forceStop(100, task);
  const signal = new AbortController().signal;
  await wrapped.initialize?.(signal);
  await wrapped.cleanup?.(signal);
  assert.deepEqual(task.log.sequence(), [
    "legacy.initialize",
    "legacy.cleanup",
  ]);
});

test("forceStop is invisible while the task settles before the stop", async () => {
  const signal = new AbortController().signal;
  const boom = new Error("boom");

  // Synchronous outcomes stay synchronous, as the manager would see them.
  assert.equal(forceStop(10, () => {}).execute(signal), undefined);
  assert.throws(() =>
    forceStop(10, () => {
      throw boom;
    }).execute(signal), (error) => error === boom);

  const resolving = new FakeTask("resolving");
  resolving.when("execute").resolves();
  assert.deepEqual(
    await outcome(Promise.resolve(forceStop(10, resolving).execute(signal))),
    { value: undefined },
  );
  assert.equal(resolving.callsOf("execute")[0].signal, signal);

  const rejecting = new FakeTask("rejecting");
  rejecting.when("execute").rejects("a string");
  assert.deepEqual(
    await outcome(Promise.resolve(forceStop(10, rejecting).execute(signal))),
    { error: "a string" },
  );
});

test("forceStop settles as the task does when it stops within the timeout", async () => {
  await withMockTimers(async () => {
    for (const ending of ["resolve", "reject"] as const) {
      const task = new FakeTask(`worker-${ending}`);
      const gate = task.when("execute").waits();
      const controller = new AbortController();
      const done = Promise.resolve(
        forceStop(1_000, task).execute(controller.signal),
      );
      controller.abort();
      mock.timers.tick(999);
      assert.equal(await isSettled(done), false);
      const failure = new Error("failed while stopping");
      if (ending === "resolve") gate.resolve();
      else gate.reject(failure);
      assert.deepEqual(
        await outcome(done),
        ending === "resolve" ? { value: undefined } : { error: failure },
      );
      mock.timers.tick(10_000); // the timer is gone: nothing changes
      await settle();
    }
  });
});

test("forceStop gives up timeoutMs after the stop with a ForceStopTimeoutError", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("stubborn");
    task.when("execute").calls(() => new Promise(() => {}));
    const controller = new AbortController();
    const done = Promise.resolve(
      forceStop(250, task).execute(controller.signal),
    );
    mock.timers.tick(10_000); // no stop yet: no deadline either
    assert.equal(await isSettled(done), false);
    controller.abort();
    mock.timers.tick(249);
    assert.equal(await isSettled(done), false);
    mock.timers.tick(1);
    await assert.rejects(done, (error) => {
      assert.ok(error instanceof ForceStopTimeoutError);
      assert.equal(error.name, "ForceStopTimeoutError");
      assert.equal(error.timeoutMs, 250);
      assert.match(error.message, /did not stop within 250 ms/);
      return true;
    });
  });
});

test("forceStop starts the deadline at once for a signal already aborted", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("late");
    task.when("execute").calls(() => new Promise(() => {}));
    const done = Promise.resolve(
      forceStop(50, task).execute(AbortSignal.abort()),
    );
    mock.timers.tick(50);
    await assert.rejects(done, ForceStopTimeoutError);
  });
});

test("forceStop: a rejection of the abandoned task never surfaces as unhandled", async () => {
  // Each runner fails the test in which an unhandled rejection happens.
  await withMockTimers(async () => {
    const task = new FakeTask("zombie");
    const gate = task.when("execute").waits();
    const controller = new AbortController();
    const done = Promise.resolve(
      forceStop(10, task).execute(controller.signal),
    );
    controller.abort();
    mock.timers.tick(10);
    await assert.rejects(done, ForceStopTimeoutError);
    gate.reject(new Error("late failure"));
    await settle();
  });
});

test("forceStop leaves no timer behind, whichever way the task ends", async () => {
  const timers = spyOnTimers();
  try {
    // Settled before the stop: no deadline was ever set.
    const early = new FakeTask("early");
    early.when("execute").resolves();
    const controller = new AbortController();
    await forceStop(3_600_000, early).execute(controller.signal);
    controller.abort();
    assert.equal(timers.created(), 0);

    // Settled within the deadline: the timer is cleared.
    const polite = new FakeTask("polite");
    const stop = new AbortController();
    const done = forceStop(3_600_000, polite).execute(stop.signal);
    await polite.called("execute");
    stop.abort(); // the fake resolves when its signal aborts
    await done;
    assert.equal(timers.created(), 1);
    assert.equal(timers.pending(), 0);

    // Abandoned: the timer has fired.
    const stubborn = new FakeTask("stubborn");
    stubborn.when("execute").calls(() => new Promise(() => {}));
    await assert.rejects(
      Promise.resolve(forceStop(0, stubborn).execute(AbortSignal.abort())),
      ForceStopTimeoutError,
    );
    assert.equal(timers.created(), 2);
    assert.equal(timers.pending(), 0);
  } finally {
    timers.restore();
  }
});

test("forceStop under a TaskManager: the stubborn task is reported, the others cleaned up", async () => {
  await withMockTimers(async () => {
    const stubborn = new FakeTask("stubborn");
    stubborn.when("execute").calls(() => new Promise(() => {}));
    const polite = new FakeTask("polite", { log: stubborn.log });
    const manager = new TaskManager();
    manager.addTask("polite", polite);
    manager.addTask("stubborn", forceStop(5_000, stubborn));
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await stubborn.called("execute");
    controller.abort();
    mock.timers.tick(4_999);
    assert.equal(await isSettled(done), false);
    mock.timers.tick(1);
    const errors = await done;
    assert.equal(errors.length, 1);
    assert.equal(errors[0].taskName, "stubborn");
    assert.equal(errors[0].stage, Stage.Execute);
    assert.ok(errors[0].cause instanceof ForceStopTimeoutError);
    assert.deepEqual(stubborn.log.sequence().slice(-2), [
      "stubborn.cleanup",
      "polite.cleanup",
    ]);
  });
});

test("forceStop in a fresh process whose first timer is armed by the stop: no deadline outlives the task", async () => {
  // On Deno, that first read of `setTimeout` settles the task midway through
  // arming the deadline (docs/runtime-notes.md, "Provided tasks"); a deadline
  // armed anyway kept the process alive for the whole 3 s.
  const result = await runProgram(
    "tests/fixtures/tasks_force_stop_first_timer.ts",
  );
  assert.deepEqual(
    { code: result.code, stdout: result.stdout, stderr: result.stderr },
    { code: 0, stdout: ["resolved []"], stderr: [] },
  );
  const tail = msAfterLine(result, "resolved []")!;
  assert.ok(tail < 1_500, `lived ${Math.round(tail)} ms after run resolved`);
});
