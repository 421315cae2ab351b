import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { TaskManager } from "../mod.ts";
import { repeatTimer } from "../src/tasks/mod.ts";
import { FakeTask } from "../src/testing/mod.ts";
import { isSettled, settle, withMockTimers } from "./helpers/tasks.ts";
import { spyOnTimers } from "./helpers/timer_spy.ts";

test("repeatTimer refuses a bad interval with a TypeError or RangeError", () => {
  const task = () => {};
  const cases: [unknown, typeof TypeError, RegExp][] = [
    ["10", TypeError, /repeatTimer: intervalMs must be a number .* got "10"/],
    [undefined, TypeError, /intervalMs must be a number of milliseconds/],
    [-1, RangeError, /intervalMs must be from 0 to 2147483647 .* got -1/],
    [NaN, RangeError, /got NaN/],
    [Infinity, RangeError, /got Infinity/],
    [2 ** 31, RangeError, /got 2147483648/],
  ];
  for (const [interval, type, message] of cases) {
    // deno-lint-ignore no-explicit-any
    assert.throws(() => repeatTimer(interval as any, task), (error) => {
      assert.ok(error instanceof type);
      assert.match((error as Error).message, message);
      return true;
    });
  }
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => repeatTimer(10, { execute: "no" } as any),
    /repeatTimer: task.execute must be a function, got "no"/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => repeatTimer(10, task, { onError: 1 } as any),
    /repeatTimer: options.onError must be a function/,
  );
  assert.doesNotThrow(() => repeatTimer(0, task));
});

test("repeatTimer passes initialize and cleanup through", async () => {
  const task = new FakeTask("report");
  const wrapped = repeatTimer(1_000, task);
  const signal = new AbortController().signal;
  await wrapped.initialize?.(signal);
  await wrapped.cleanup?.(signal);
  assert.deepEqual(task.log.sequence(), [
    "report.initialize",
    "report.cleanup",
  ]);
});

test("repeatTimer runs at once, then every interval", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("tick");
    task.when("execute").resolves();
    const controller = new AbortController();
    const done = repeatTimer(100, task).execute(controller.signal);
    assert.equal(task.callsOf("execute").length, 1);
    assert.equal(task.callsOf("execute")[0].signal, controller.signal);
    for (let round = 2; round <= 4; round++) {
      await settle();
      mock.timers.tick(99);
      await settle();
      assert.equal(task.callsOf("execute").length, round - 1);
      mock.timers.tick(1);
      await settle();
      assert.equal(task.callsOf("execute").length, round);
    }
    controller.abort();
    await done;
  });
});

test("repeatTimer waits the whole interval after a slow round: rounds never overlap", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("slow");
    task.when("execute").resolves();
    const gate = task.when("execute").onCall(0).waits();
    const controller = new AbortController();
    const done = repeatTimer(100, task).execute(controller.signal);
    mock.timers.tick(1_000); // the first round is still running
    await settle();
    assert.equal(task.callsOf("execute").length, 1);
    gate.resolve();
    await settle();
    mock.timers.tick(99);
    await settle();
    assert.equal(task.callsOf("execute").length, 1);
    mock.timers.tick(1);
    await settle();
    assert.equal(task.callsOf("execute").length, 2);
    controller.abort();
    await done;
  });
});

test("repeatTimer stops at once when aborted during the wait, and clears its timer", async () => {
  const timers = spyOnTimers();
  try {
    const task = new FakeTask("hourly");
    task.when("execute").resolves();
    const controller = new AbortController();
    const done = Promise.resolve(
      repeatTimer(3_600_000, task).execute(controller.signal),
    );
    await task.called("execute");
    assert.equal(await isSettled(done), false);
    assert.equal(timers.pending(), 1);
    controller.abort();
    await done;
    assert.equal(timers.pending(), 0);
    assert.equal(task.callsOf("execute").length, 1);
  } finally {
    timers.restore();
  }
});

test("repeatTimer lets the round in flight finish at the stop, then runs no other", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("job");
    const gate = task.when("execute").waits();
    const controller = new AbortController();
    const done = Promise.resolve(
      repeatTimer(10, task).execute(controller.signal),
    );
    controller.abort();
    assert.equal(await isSettled(done), false);
    gate.resolve();
    await done;
    mock.timers.tick(100);
    await settle();
    assert.equal(task.callsOf("execute").length, 1);
  });
});

test("repeatTimer swallows a round's error, shows it to onError, and keeps its rhythm", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("report");
    task.when("execute").resolves();
    task.when("execute").onCall(0).rejects(new Error("smtp down"));
    task.when("execute").onCall(1).throws("sync failure");
    const seen: unknown[] = [];
    const controller = new AbortController();
    const done = repeatTimer(50, task, {
      onError: (error) => void seen.push(error),
    }).execute(controller.signal);
    for (let i = 0; i < 2; i++) {
      await settle();
      mock.timers.tick(50);
    }
    await settle();
    assert.equal(task.callsOf("execute").length, 3);
    assert.equal((seen[0] as Error).message, "smtp down");
    assert.deepEqual(seen.slice(1), ["sync failure"]);
    controller.abort();
    await done;
  });
});

test("repeatTimer: a round that echoes a NaN stop reason is not an error", async () => {
  const controller = new AbortController();
  const seen: unknown[] = [];
  await repeatTimer(60_000, (signal) => {
    controller.abort(NaN);
    return Promise.reject(signal.reason);
  }, { onError: (error) => void seen.push(error) }).execute(controller.signal);
  assert.deepEqual(seen, []);
});

test("repeatTimer fails with what onError throws", async () => {
  const task = new FakeTask("report");
  task.when("execute").rejects(new Error("smtp down"));
  const wrapped = repeatTimer(60_000, task, {
    onError(error) {
      throw new Error("report failed", { cause: error });
    },
  });
  await assert.rejects(
    Promise.resolve(wrapped.execute(new AbortController().signal)),
    (error: Error) =>
      error.message === "report failed" &&
      (error.cause as Error).message === "smtp down",
  );
  assert.equal(task.callsOf("execute").length, 1);
});

test("repeatTimer with an already aborted signal runs no round", async () => {
  const task = new FakeTask("never");
  await repeatTimer(10, task).execute(AbortSignal.abort());
  assert.equal(task.callsOf("execute").length, 0);
});

test("repeatTimer under a TaskManager: rounds until the stop, then cleanup", async () => {
  await withMockTimers(async () => {
    const task = new FakeTask("flush");
    task.when("execute").resolves();
    const manager = new TaskManager();
    manager.addTask("flush", repeatTimer(1_000, task));
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await task.called("execute");
    for (let i = 0; i < 3; i++) {
      await settle();
      mock.timers.tick(1_000);
    }
    await task.called("execute", 3);
    controller.abort();
    assert.deepEqual(await done, []);
    assert.deepEqual(task.log.sequence(), [
      "flush.initialize",
      "flush.execute",
      "flush.execute",
      "flush.execute",
      "flush.execute",
      "flush.cleanup",
    ]);
  });
});
