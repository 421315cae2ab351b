import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ExecuteTaskType,
  TaskManager,
  TaskType,
  UnexpectedStopError,
} from "../mod.ts";
import { isSettled, latch, settle, untilAborted } from "./helpers/tasks.ts";

test("a strict task that returns before the stop is an UnexpectedStopError and stops the rest", async () => {
  const finish = latch();
  let otherSignal: AbortSignal | undefined;
  const manager = new TaskManager();
  manager.addTask("server", (signal) => {
    otherSignal = signal;
    return untilAborted(signal);
  });
  manager.addTask("quitter", () => finish.promise, TaskType.Strict);
  const done = manager.run();
  await settle();
  assert.equal(otherSignal?.aborted, false);
  finish.resolve();
  const errors = await done;
  assert.equal(otherSignal?.aborted, true);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "quitter");
  assert.equal(errors[0].taskType, "strict");
  assert.ok(errors[0].cause instanceof UnexpectedStopError);
});

test("a strict task that returns after the stop is not an error", async () => {
  const manager = new TaskManager();
  manager.addTask("a", untilAborted);
  manager.addTask("b", async (signal) => {
    await untilAborted(signal);
  });
  assert.deepEqual(await manager.run(AbortSignal.timeout(1)), []);
});

test("a strict task that throws stops the manager with its error", async () => {
  const manager = new TaskManager();
  let signal: AbortSignal | undefined;
  manager.addTask("waiter", (s) => {
    signal = s;
    return untilAborted(s);
  });
  manager.addTask("thrower", async () => {
    await Promise.resolve();
    throw new Error("crashed");
  });
  const errors = await manager.run();
  assert.equal(signal?.aborted, true);
  assert.equal((signal?.reason as DOMException).name, "AbortError");
  assert.match(String((signal?.reason as Error).message), /"thrower" failed/);
  assert.deepEqual(errors.map((e) => [e.taskName, e.stage]), [[
    "thrower",
    "execute",
  ]]);
});

test("an error task may return; only a throw stops the manager", async () => {
  const manager = new TaskManager();
  const fail = latch();
  manager.addTask("done-early", () => {}, TaskType.Error);
  manager.addTask("fails-later", () => fail.promise, TaskType.Error);
  manager.addTask("server", untilAborted);
  const done = manager.run();
  assert.equal(await isSettled(done), false, "an error task's return is fine");
  fail.reject("disk full");
  const errors = await done;
  assert.deepEqual(errors.map((e) => [e.taskName, e.cause]), [[
    "fails-later",
    "disk full",
  ]]);
});

test("the manager stops cleanly once every stop-group task has returned", async () => {
  const first = latch();
  const second = latch();
  let serverSignal: AbortSignal | undefined;
  const manager = new TaskManager();
  manager.addTask("job-1", () => first.promise, TaskType.StopGroup);
  manager.addTask("job-2", () => second.promise, TaskType.StopGroup);
  manager.addTask("server", (signal) => {
    serverSignal = signal;
    return untilAborted(signal);
  });
  const done = manager.run();
  first.resolve();
  assert.equal(
    await isSettled(done),
    false,
    "one stop-group task is still running",
  );
  assert.equal(serverSignal?.aborted, false);
  second.resolve();
  assert.deepEqual(await done, []);
  assert.equal(serverSignal?.aborted, true);
});

test("a stop-group task that throws stops everything", async () => {
  const manager = new TaskManager();
  manager.addTask("job-1", untilAborted, TaskType.StopGroup);
  manager.addTask(
    "job-2",
    () => Promise.reject(new Error("bad input")),
    TaskType.StopGroup,
  );
  const errors = await manager.run();
  assert.deepEqual(errors.map((e) => [e.taskName, e.taskType]), [[
    "job-2",
    "stop-group",
  ]]);
});

test("after the stop, rejecting with the signal's reason or an AbortError is not an error", async () => {
  const manager = new TaskManager();
  manager.addTask("rethrows-reason", async (signal) => {
    await untilAborted(signal);
    throw signal.reason;
  });
  manager.addTask("throws-abort-error", async (signal) => {
    await untilAborted(signal);
    throw new DOMException("aborted", "AbortError");
  });
  manager.addTask("throws-if-aborted", async (signal) => {
    await untilAborted(signal);
    signal.throwIfAborted();
  });
  assert.deepEqual(await manager.run(AbortSignal.timeout(1)), []);
});

test("after the stop, any other failure is still reported", async () => {
  const manager = new TaskManager();
  manager.addTask("flush", async (signal) => {
    await untilAborted(signal);
    throw new Error("could not flush the buffer");
  });
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  const errors = await done;
  assert.deepEqual(errors.map((e) => (e.cause as Error).message), [
    "could not flush the buffer",
  ]);
});

test("an AbortError before the stop is a failure like any other", async () => {
  const manager = new TaskManager();
  const abortError = new DOMException("fetch aborted", "AbortError");
  manager.addTask("fetcher", () => Promise.reject(abortError));
  const errors = await manager.run();
  assert.equal(errors[0].cause, abortError);
});

test("a dynamic strict task that returns early stops the manager; an error task does not", async () => {
  const manager = new TaskManager();
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  manager.addExecuteTask("fine", () => {}, ExecuteTaskType.Error);
  manager.addExecuteTask("fine-async", async () => {}, ExecuteTaskType.Error);
  assert.equal(await isSettled(done), false);
  manager.addExecuteTask("quitter", async () => {});
  const errors = await done;
  assert.deepEqual(errors.map((e) => e.taskName), ["quitter"]);
  assert.ok(errors[0].cause instanceof UnexpectedStopError);
});

test("errors come back in the order they happened", async () => {
  const gates = { a: latch(), b: latch(), c: latch() };
  const manager = new TaskManager();
  for (const name of ["a", "b", "c"] as const) {
    manager.addTask(name, {
      execute: async (signal) => {
        await untilAborted(signal);
        await gates[name].promise;
        throw new Error(`${name} failed while stopping`);
      },
      cleanup: () => {
        throw new Error(`${name} cleanup`);
      },
    });
  }
  manager.addTask("trigger", () => Promise.reject(new Error("first")));
  const done = manager.run();
  await settle();
  gates.c.resolve();
  await settle();
  gates.a.resolve();
  await settle();
  gates.b.resolve();
  const errors = await done;
  assert.deepEqual(errors.map((e) => `${e.taskName}:${e.stage}`), [
    "trigger:execute",
    "c:execute",
    "a:execute",
    "b:execute",
    "c:cleanup",
    "b:cleanup",
    "a:cleanup",
  ]);
});

test("tasks not yet started when a synchronous failure stops the manager never execute", async () => {
  const log: string[] = [];
  const manager = new TaskManager();
  manager.addTask("first", () => {
    log.push("first");
    throw new Error("at once");
  });
  manager.addTask("second", {
    execute: () => void log.push("second"),
    cleanup: () => void log.push("cleanup second"),
  });
  const errors = await manager.run();
  assert.deepEqual(log, ["first", "cleanup second"]);
  assert.equal(errors.length, 1);
});
