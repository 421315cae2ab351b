import { test } from "node:test";
import assert from "node:assert/strict";
import { ExecuteTaskType, TaskManager, TaskType } from "../mod.ts";
import { isSettled, latch, settle, untilAborted } from "./helpers/tasks.ts";

const noop = () => {};

test("addTask rejects bad input with a TypeError and changes nothing", async () => {
  const manager = new TaskManager();
  const bad: [unknown, unknown, unknown, RegExp][] = [
    ["", noop, undefined, /name must be a non-empty string/],
    [undefined, noop, undefined, /name must be a non-empty string/],
    [42, noop, undefined, /name must be a non-empty string/],
    ["t", null, undefined, /task must be a function or an object/],
    ["t", undefined, undefined, /task must be a function or an object/],
    ["t", 42, undefined, /task must be a function or an object/],
    ["t", {}, undefined, /task.execute must be a function/],
    ["t", { execute: "run" }, undefined, /task.execute must be a function/],
    ["t", { execute: noop, initialize: 1 }, undefined, /task.initialize must/],
    ["t", { execute: noop, cleanup: {} }, undefined, /task.cleanup must/],
    ["t", noop, "bogus", /unknown task type "bogus"/],
    ["t", noop, null, /unknown task type null/],
  ];
  for (const [name, task, type] of bad) {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => manager.addTask(name as any, task as any, type as any),
      (error: unknown) =>
        error instanceof TypeError &&
        bad.some(([n, t, ty, re]) =>
          n === name && t === task && ty === type && re.test(error.message)
        ),
    );
  }
  // Nothing was added: with an aborted signal, the run calls nothing.
  assert.deepEqual(await manager.run(AbortSignal.abort()), []);
});

test("addExecuteTask rejects bad input, including lifecycle-only types", () => {
  const manager = new TaskManager();
  assert.throws(
    () => manager.addExecuteTask("", noop),
    TypeError,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => manager.addExecuteTask("t", noop, TaskType.StopGroup as any),
    /unknown task type "stop-group"; expected one of "strict", "error"/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => manager.addExecuteTask("t", { execute: 3 } as any),
    /task.execute must be a function, got 3/,
  );
});

test("a task whose methods cannot be read is refused with a TypeError", () => {
  const manager = new TaskManager();
  const hostile = {
    get execute(): () => void {
      throw new Error("getter exploded");
    },
  };
  assert.throws(
    () => manager.addTask("hostile", hostile),
    (error: unknown) =>
      error instanceof TypeError &&
      /reading the task's methods threw/.test(error.message) &&
      (error.cause as Error).message === "getter exploded",
  );
});

test("the type defaults to strict for both kinds of add", async () => {
  const manager = new TaskManager();
  manager.addTask("a", noop);
  const errors = await manager.run();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskType, "strict");

  const second = new TaskManager();
  second.addExecuteTask("b", noop);
  const [error] = await second.run();
  assert.equal(error.taskType, "strict");
  assert.equal((error.cause as Error).name, "UnexpectedStopError");
});

test("stages are read once when added and called with the task as this", async () => {
  let reads = 0;
  const calls: string[] = [];
  const task = {
    label: "me",
    get execute() {
      reads++;
      return function (this: { label: string }, signal: AbortSignal) {
        calls.push(`execute:${this.label}`);
        return untilAborted(signal);
      };
    },
    initialize(this: { label: string }) {
      calls.push(`initialize:${this.label}`);
    },
    cleanup(this: { label: string }) {
      calls.push(`cleanup:${this.label}`);
    },
  };
  const manager = new TaskManager();
  manager.addTask("task", task);
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  assert.deepEqual(await done, []);
  assert.equal(reads, 1);
  assert.deepEqual(calls, ["initialize:me", "execute:me", "cleanup:me"]);
});

test("addTask throws once run has been called", async () => {
  const manager = new TaskManager();
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  assert.throws(
    () => manager.addTask("late", noop),
    /can be added only before run; use addExecuteTask/,
  );
  controller.abort();
  await done;
  assert.throws(() => manager.addTask("later", noop), Error);
});

test("addExecuteTask during initialization waits for execution to start", async () => {
  const manager = new TaskManager();
  const initializing = latch();
  const releaseInit = latch();
  const events: string[] = [];
  manager.addTask("slow-init", {
    async initialize() {
      initializing.resolve();
      await releaseInit.promise;
      events.push("initialized");
    },
    execute: (signal) => {
      events.push("execute slow-init");
      return untilAborted(signal);
    },
  });
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await initializing.promise;
  manager.addExecuteTask("queued", (signal) => {
    events.push("execute queued");
    return untilAborted(signal);
  });
  await settle();
  assert.deepEqual(events, [], "nothing executes before initialization ends");
  releaseInit.resolve();
  await settle();
  assert.deepEqual(events, [
    "initialized",
    "execute slow-init",
    "execute queued",
  ]);
  controller.abort();
  assert.deepEqual(await done, []);
});

test("addExecuteTask while executing starts the task at once with its own signal", async () => {
  const manager = new TaskManager();
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  let seen: AbortSignal | undefined;
  manager.addExecuteTask("dynamic", (signal) => {
    seen = signal;
    return untilAborted(signal);
  });
  assert.ok(seen, "started synchronously");
  assert.equal(seen.aborted, false);
  assert.notEqual(seen, controller.signal);
  controller.abort("bye");
  assert.equal(seen.aborted, true);
  assert.equal(seen.reason, "bye");
  assert.deepEqual(await done, []);
});

test("adding once the manager is stopping or stopped throws", async () => {
  const manager = new TaskManager();
  const cleaning = latch();
  const finishCleanup = latch();
  manager.addTask("t", {
    execute: untilAborted,
    async cleanup() {
      cleaning.resolve();
      await finishCleanup.promise;
    },
  });
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  assert.throws(
    () => manager.addExecuteTask("too-late", noop, ExecuteTaskType.Error),
    /the manager is stopping or stopped/,
  );
  await cleaning.promise;
  assert.throws(
    () => manager.addExecuteTask("still-too-late", noop),
    /stopping or stopped/,
  );
  finishCleanup.resolve();
  assert.deepEqual(await done, []);
  assert.throws(
    () => manager.addExecuteTask("after", noop),
    /stopping or stopped/,
  );
  assert.equal(await isSettled(done), true);
});

test("names need not be unique", async () => {
  const manager = new TaskManager();
  manager.addExecuteTask("worker", noop, ExecuteTaskType.Error);
  manager.addExecuteTask("worker", () => {
    throw "second";
  }, ExecuteTaskType.Error);
  const errors = await manager.run();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "worker");
  assert.equal(errors[0].cause, "second");
});

test("TaskManager options are validated", () => {
  for (const shutdownTimeout of [-1, NaN, 2 ** 31, Infinity]) {
    assert.throws(() => new TaskManager({ shutdownTimeout }), RangeError);
  }
  // A wrong type is a TypeError, as everywhere in the library.
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new TaskManager({ shutdownTimeout: "5" } as any),
    TypeError,
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new TaskManager(null as any), TypeError);
  new TaskManager({ shutdownTimeout: 0 });
  new TaskManager({});
});
