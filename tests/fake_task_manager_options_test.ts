import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ExecuteTaskOptions,
  TaskManager,
  type TaskOptions,
} from "../mod.ts";
import { FakeExecuteTask, FakeTaskManager } from "../src/testing/mod.ts";

const noop = () => {};

test("FakeTaskManager records the third argument in both forms, and none", () => {
  const manager = new FakeTaskManager();
  const consumer: TaskOptions = {
    restart: "transient",
    backoff: { initial: 50, max: 1_000, jitter: 0 },
    intensity: { maxRestarts: 3, within: 10_000 },
  };
  const poller: ExecuteTaskOptions = { type: "error", restart: "permanent" };
  manager.addTask("plain", noop);
  manager.addTask("migrate", noop, "stop-group");
  manager.addTask("consumer", noop, consumer);
  manager.addExecuteTask("poller", noop, poller);
  manager.addExecuteTask("once", noop, "error");

  assert.deepEqual(
    manager.tasks.map(({ method, name, type, restart }) => ({
      method,
      name,
      type,
      restart,
    })),
    [
      {
        method: "addTask",
        name: "plain",
        type: "strict",
        restart: "temporary",
      },
      {
        method: "addTask",
        name: "migrate",
        type: "stop-group",
        restart: "temporary",
      },
      {
        method: "addTask",
        name: "consumer",
        type: "strict",
        restart: "transient",
      },
      {
        method: "addExecuteTask",
        name: "poller",
        type: "error",
        restart: "permanent",
      },
      {
        method: "addExecuteTask",
        name: "once",
        type: "error",
        restart: "temporary",
      },
    ],
  );
  // `options`: the object as passed, `{ type }` for a type alone, else `{}`.
  const [plain, migrate, consumerTask, pollerTask, once] = manager.tasks;
  assert.deepEqual(plain.options, {});
  assert.deepEqual(migrate.options, { type: "stop-group" });
  assert.equal(consumerTask.options, consumer);
  assert.equal(pollerTask.options, poller);
  assert.deepEqual(once.options, { type: "error" });
  // The log keeps the arguments exactly as passed.
  const adds = manager.callsOf("addTask");
  assert.equal(adds[0].args.length, 2);
  assert.equal(adds[1].args[2], "stop-group");
  assert.equal(adds[2].args[2], consumer);
  assert.equal(manager.callsOf("addExecuteTask")[0].args[2], poller);
});

test("FakeTaskManager refuses what a TaskManager refuses: a TypeError, recorded, nothing added", () => {
  const manager = new FakeTaskManager();
  let reached = 0;
  manager.when("addTask").calls(() => void reached++);
  manager.when("addExecuteTask").calls(() => void reached++);
  const bad: [string, () => void][] = [
    ["empty name", () => manager.addTask("", noop)],
    ["no execute", () => manager.addTask("a", {} as never)],
    ["null task", () => manager.addExecuteTask("b", null as never)],
    ["unknown type", () => manager.addTask("c", noop, "eager" as never)],
    [
      "stop-group execute",
      () => manager.addExecuteTask("d", noop, "stop-group" as never),
    ],
    ["null options", () => manager.addTask("e", noop, null as never)],
    [
      "unknown policy",
      () => manager.addTask("f", noop, { restart: "always" as never }),
    ],
    ["backoff on temporary", () => manager.addTask("g", noop, { backoff: {} })],
    ["negative delay", () =>
      manager.addTask("h", noop, {
        restart: "transient",
        backoff: { initial: -1 },
      })],
    ["factor below 1", () =>
      manager.addExecuteTask("i", noop, {
        restart: "transient",
        backoff: { factor: 0.5 },
      })],
    ["jitter above 1", () =>
      manager.addTask("j", noop, {
        restart: "permanent",
        backoff: { jitter: 2 },
      })],
    ["initial above max", () =>
      manager.addTask("k", noop, {
        restart: "transient",
        backoff: { initial: 500, max: 100 },
      })],
    [
      "permanent stop-group",
      () =>
        manager.addTask("l", noop, {
          type: "stop-group",
          restart: "permanent",
        }),
    ],
    ["NaN window", () =>
      manager.addTask("m", noop, {
        restart: "transient",
        intensity: { within: NaN },
      })],
  ];
  for (const [why, add] of bad) assert.throws(add, TypeError, why);
  assert.equal(reached, 0, "the stub runs only for arguments that pass");
  assert.deepEqual(manager.tasks, []);
  assert.equal(manager.calls.length, bad.length, "every call is recorded");
});

test("FakeTaskManager's messages name the call, as the manager's do", () => {
  const manager = new FakeTaskManager();
  assert.throws(
    () => manager.addExecuteTask("job", noop, "stop-group" as never),
    {
      name: "TypeError",
      message:
        'addExecuteTask("job"): unknown task type "stop-group"; expected one of "strict", "error"',
    },
  );
  assert.throws(
    () => manager.addTask("db", { execute: 1 } as never),
    /addTask\("db"\): task.execute must be a function, got 1/,
  );
});

test("FakeTaskManager accepts every task shape a TaskManager accepts", () => {
  const manager = new FakeTaskManager();
  const request = new FakeExecuteTask("request");
  manager.addTask("fn", noop);
  manager.addTask("object", { initialize: noop, execute: noop });
  manager.addExecuteTask("fake", request, { restart: "transient" });
  assert.equal(manager.tasks[2].task, request);
  assert.equal(manager.tasks.length, 3);
});

test("FakeTaskManager accepts and refuses exactly what a TaskManager does, with the same message", () => {
  // deno-lint-ignore no-explicit-any
  type Add = (manager: any) => void;
  const adds: [string, Add][] = [
    ["plain", (m) => m.addTask("a", noop)],
    ["type", (m) => m.addTask("a", noop, "error")],
    ["options", (m) => m.addTask("a", noop, { restart: "transient" })],
    ["execute options", (m) =>
      m.addExecuteTask("a", noop, {
        type: "error",
        restart: "permanent",
        backoff: { initial: 0, max: 0 },
        intensity: { maxRestarts: 0 },
      })],
    ["no name", (m) => m.addTask(undefined, noop)],
    ["number task", (m) => m.addTask("a", 42)],
    ["getter throws", (m) =>
      m.addTask("a", {
        get execute() {
          throw new Error("hostile");
        },
      })],
    ["bad initialize", (m) => m.addTask("a", { execute: noop, initialize: 1 })],
    ["unknown type", (m) => m.addTask("a", noop, "eager")],
    ["stop-group execute", (m) => m.addExecuteTask("a", noop, "stop-group")],
    ["options not an object", (m) => m.addTask("a", noop, 5)],
    [
      "intensity on temporary",
      (m) => m.addTask("a", noop, { intensity: { maxRestarts: 1 } }),
    ],
    [
      "string backoff",
      (m) => m.addTask("a", noop, { restart: "transient", backoff: "fast" }),
    ],
    [
      "negative max",
      (m) =>
        m.addTask("a", noop, { restart: "transient", backoff: { max: -5 } }),
    ],
    [
      "permanent stop-group",
      (m) => m.addTask("a", noop, { type: "stop-group", restart: "permanent" }),
    ],
  ];
  const outcome = (add: Add, manager: unknown) => {
    try {
      add(manager);
      return "accepted";
    } catch (error) {
      const { name, message } = error as Error;
      return `${name}: ${message}`;
    }
  };
  for (const [why, add] of adds) {
    assert.equal(
      outcome(add, new FakeTaskManager()),
      outcome(add, new TaskManager()),
      why,
    );
  }
});
