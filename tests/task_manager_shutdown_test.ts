import { mock, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { ShutdownTimeoutError, Stage, TaskManager } from "../mod.ts";
import {
  isSettled,
  latch,
  settle,
  untilAborted,
  withMockTimers,
} from "./helpers/tasks.ts";
import { spyOnTimers } from "./helpers/timer_spy.ts";

test("tasks still running at the shutdown deadline are abandoned with a ShutdownTimeoutError; cleanups still run", () =>
  withMockTimers(async () => {
    const log: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const stubborn = latch();
    const manager = new TaskManager({ shutdownTimeout: 1_000 });
    manager.addTask("polite", {
      execute: untilAborted,
      cleanup: () => void log.push("cleanup polite"),
    });
    manager.addTask("stubborn", {
      execute: () => stubborn.promise, // ignores its signal
      cleanup: () => void log.push("cleanup stubborn"),
    });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    mock.timers.tick(999);
    assert.equal(await isSettled(done), false, "still within the timeout");
    mock.timers.tick(1);
    const errors = await done;
    assert.deepEqual(log, ["cleanup stubborn", "cleanup polite"]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].taskName, "stubborn");
    assert.equal(errors[0].stage, Stage.Execute);
    assert.ok(errors[0].cause instanceof ShutdownTimeoutError);
    // The abandoned task fails later: nothing is reported, nothing escapes.
    stubborn.reject(new Error("too late"));
    await settle();
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(unhandled, []);
    assert.equal(errors.length, 1);
  }));

test("the deadline also bounds an initialize in flight when the caller aborts", () =>
  withMockTimers(async () => {
    const log: string[] = [];
    const manager = new TaskManager({ shutdownTimeout: 50 });
    manager.addTask("hangs", {
      initialize: () => new Promise(() => {}),
      execute: () => void log.push("execute"),
      cleanup: () => void log.push("cleanup hangs"),
    });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    await settle();
    mock.timers.tick(50);
    const errors = await done;
    assert.deepEqual(log, ["cleanup hangs"]);
    assert.deepEqual(errors.map((e) => [e.taskName, e.stage]), [[
      "hangs",
      "initialize",
    ]]);
    assert.ok(errors[0].cause instanceof ShutdownTimeoutError);
  }));

test("a cleanup that never settles is abandoned at its deadline and the next one runs", () =>
  withMockTimers(async () => {
    const log: string[] = [];
    let cleanupSignal: AbortSignal | undefined;
    const manager = new TaskManager({ shutdownTimeout: 100 });
    manager.addTask("first", {
      execute: untilAborted,
      cleanup: () => void log.push("cleanup first"),
    });
    manager.addTask("second", {
      execute: untilAborted,
      cleanup: (signal) => {
        cleanupSignal = signal;
        log.push("cleanup second");
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    await settle();
    assert.deepEqual(log, ["cleanup second"]);
    assert.equal(cleanupSignal?.aborted, false);
    mock.timers.tick(100);
    const errors = await done;
    assert.equal(cleanupSignal?.aborted, true, "told to give up");
    assert.ok(cleanupSignal?.reason instanceof ShutdownTimeoutError);
    assert.deepEqual(log, ["cleanup second", "cleanup first"]);
    assert.deepEqual(errors.map((e) => [e.taskName, e.stage]), [[
      "second",
      "cleanup",
    ]]);
  }));

test("with a shutdownTimeout each cleanup has a signal of its own: one cleanup's deadline aborts no other's", () =>
  withMockTimers(async () => {
    const signals = new Map<string, AbortSignal>();
    const manager = new TaskManager({ shutdownTimeout: 100 });
    for (const name of ["first", "second", "third"]) {
      manager.addTask(name, {
        execute: untilAborted,
        cleanup: (signal) => {
          signals.set(name, signal);
          // The middle one never settles and is abandoned at its deadline.
          if (name === "second") return new Promise(() => {});
        },
      });
    }
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    await settle();
    mock.timers.tick(100);
    await done;
    assert.deepEqual([...signals.keys()], ["third", "second", "first"]);
    assert.equal(new Set(signals.values()).size, 3, "three signals");
    assert.equal(signals.get("second")!.aborted, true);
    assert.equal(signals.get("third")!.aborted, false, "cleaned up before");
    assert.equal(signals.get("first")!.aborted, false, "cleaned up after");
  }));

test("without a shutdownTimeout no cleanup signal ever aborts", async () => {
  const signals: AbortSignal[] = [];
  const manager = new TaskManager();
  for (const name of ["a", "b"]) {
    manager.addTask(name, {
      execute: untilAborted,
      cleanup: async (signal) => {
        await Promise.resolve();
        signals.push(signal);
      },
    });
  }
  manager.addTask("stopper", () => {}, "stop-group");
  assert.deepEqual(await manager.run(), []);
  assert.equal(signals.length, 2);
  for (const signal of signals) {
    assert.ok(signal instanceof AbortSignal);
    assert.equal(signal.aborted, false);
  }
});

test("dynamic execute tasks are bounded by the deadline too", () =>
  withMockTimers(async () => {
    const manager = new TaskManager({ shutdownTimeout: 10 });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    manager.addExecuteTask("deaf", () => new Promise(() => {}));
    manager.addExecuteTask("polite", untilAborted);
    controller.abort();
    await settle();
    mock.timers.tick(10);
    const errors = await done;
    assert.deepEqual(errors.map((e) => e.taskName), ["deaf"]);
    assert.ok(errors[0].cause instanceof ShutdownTimeoutError);
  }));

test("without a shutdownTimeout, run waits for ever for a task to stop", () =>
  withMockTimers(async () => {
    const release = latch();
    const manager = new TaskManager();
    manager.addTask("slow", async (signal) => {
      await untilAborted(signal);
      await release.promise;
    });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    mock.timers.tick(24 * 60 * 60 * 1000);
    assert.equal(await isSettled(done), false);
    release.resolve();
    assert.deepEqual(await done, []);
  }));

test("the deadline timer is cleared when every task stops in time", async () => {
  // Real timers, counted: a deadline left pending would keep a Node.js or Bun
  // process alive for a minute after run resolved.
  const timers = spyOnTimers();
  try {
    const manager = new TaskManager({ shutdownTimeout: 60_000 });
    manager.addTask("quick", {
      execute: untilAborted,
      cleanup: async () => {
        await Promise.resolve();
      },
    });
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await settle();
    controller.abort();
    assert.deepEqual(await done, []);
    assert.ok(timers.created() > 0, "no deadline timer was set at all");
    assert.equal(timers.pending(), 0, "a deadline timer was left pending");
  } finally {
    timers.restore();
  }
});
