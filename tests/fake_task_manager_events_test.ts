import { mock, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ManagerSnapshot,
  ManagerStateEvent,
  Stage,
  TaskError,
  TaskErrorEvent,
  TaskEvent,
} from "../mod.ts";
import { CallLog, FakeTaskManager } from "../src/testing/mod.ts";
import { isSettled, settle } from "./helpers/tasks.ts";

test("FakeTaskManager is an EventTarget whose state the test sets, each change a statechange", () => {
  const manager = new FakeTaskManager();
  assert.ok(manager instanceof EventTarget);
  assert.equal(manager.state, "idle");
  const seen: ManagerStateEvent[] = [];
  const states: string[] = [];
  manager.addEventListener("statechange", function (event) {
    seen.push(event);
    states.push(this.state); // already the new state, as on the manager
  });
  manager.state = "running";
  manager.state = "running"; // no change, no event
  manager.state = "draining";
  assert.equal(seen.length, 2);
  assert.ok(seen.every((event) => event instanceof ManagerStateEvent));
  assert.deepEqual(
    seen.map(({ type, from, to }) => ({ type, from, to })),
    [
      { type: "statechange", from: "idle", to: "running" },
      { type: "statechange", from: "running", to: "draining" },
    ],
  );
  assert.deepEqual(states, ["running", "draining"]);
  assert.throws(
    () => manager.state = "paused" as never,
    /FakeTaskManager.state: unknown manager state "paused"/,
  );
  assert.equal(manager.state, "draining");
});

test("FakeTaskManager fires the task events a test dispatches, with their classes and fields", () => {
  const manager = new FakeTaskManager();
  const failure = new Error("connection reset");
  const error = new TaskError("db", Stage.Execute, failure);
  const got: Record<string, Event[]> = {};
  for (
    const type of [
      "taskstart",
      "taskstop",
      "taskrestart",
      "taskerror",
    ] as const
  ) {
    manager.addEventListener(type, (event) => {
      (got[type] ??= []).push(event);
    });
  }
  const fired = [
    new TaskEvent("taskstart", "db", 1),
    new TaskEvent("taskstop", "db", 1, { error: failure }),
    new TaskEvent("taskrestart", "db", 1, { error: failure, delay: 50 }),
    new TaskEvent("taskstart", "db", 2),
    new TaskErrorEvent(error),
  ];
  for (const event of fired) assert.equal(manager.dispatchEvent(event), true);

  assert.deepEqual(got.taskstart, [fired[0], fired[3]]);
  const [stop] = got.taskstop as TaskEvent[];
  assert.ok(stop instanceof TaskEvent);
  assert.deepEqual(
    { name: stop.taskName, attempt: stop.attempt, error: stop.error },
    { name: "db", attempt: 1, error: failure },
  );
  const [restart] = got.taskrestart as TaskEvent[];
  assert.equal(restart.delay, 50);
  assert.equal(restart.error, failure);
  const [taskError] = got.taskerror as TaskErrorEvent[];
  assert.ok(taskError instanceof TaskErrorEvent);
  assert.equal(taskError.error, error);
  assert.equal(taskError.target, manager);
});

test("FakeTaskManager's listeners come off as on any EventTarget", () => {
  const manager = new FakeTaskManager();
  let count = 0;
  const listener = () => void count++;
  manager.addEventListener("taskstart", listener);
  manager.addEventListener("taskstop", listener, { once: true });
  manager.dispatchEvent(new TaskEvent("taskstart", "a", 1));
  manager.dispatchEvent(new TaskEvent("taskstop", "a", 1));
  manager.dispatchEvent(new TaskEvent("taskstop", "a", 1)); // once: gone
  manager.removeEventListener("taskstart", listener);
  manager.dispatchEvent(new TaskEvent("taskstart", "a", 2));
  assert.equal(count, 2);
});

test("FakeTaskManager: a listener that throws or rejects is logged and changes nothing, as on the manager", async () => {
  const manager = new FakeTaskManager();
  const logged = mock.method(console, "error", () => {});
  try {
    const boom = new Error("listener bug");
    const order: string[] = [];
    manager.addEventListener("statechange", () => {
      order.push("throws");
      throw boom;
    });
    manager.addEventListener("statechange", async () => {
      order.push("rejects");
      await Promise.resolve();
      throw boom;
    });
    manager.addEventListener("statechange", () => void order.push("after"));
    manager.state = "running"; // does not throw
    assert.equal(manager.state, "running");
    assert.deepEqual(order, ["throws", "rejects", "after"]);
    await settle(); // the rejection is reported a few turns later
    assert.equal(logged.mock.callCount(), 2);
    assert.ok(logged.mock.calls.every((call) => call.arguments[1] === boom));
  } finally {
    logged.mock.restore();
  }
});

test("FakeTaskManager.snapshot: built from the tasks added and the state, plain data", () => {
  const manager = new FakeTaskManager();
  manager.addTask("db", () => {});
  manager.addExecuteTask("poller", () => {}, { type: "error" });
  const before = Date.now();
  manager.state = "running";
  const snapshot = manager.snapshot();
  assert.equal(snapshot.state, "running");
  assert.ok(snapshot.since >= before && snapshot.since <= Date.now());
  assert.deepEqual(snapshot.tasks, [
    {
      name: "db",
      type: "strict",
      state: "running",
      since: snapshot.since,
      restarts: 0,
    },
    {
      name: "poller",
      type: "error",
      state: "running",
      since: snapshot.since,
      restarts: 0,
    },
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.notEqual(manager.snapshot(), snapshot, "a new one at each call");

  const taskStates = (["idle", "initializing", "stopping", "stopped"] as const)
    .map((state) => {
      manager.state = state;
      return manager.snapshot().tasks[0].state;
    });
  assert.deepEqual(taskStates, ["pending", "pending", "stopping", "stopped"]);
  assert.equal(manager.callsOf("snapshot").length, 6);
});

test("FakeTaskManager.snapshot returns what the test set", () => {
  const manager = new FakeTaskManager();
  const set: ManagerSnapshot = {
    state: "draining",
    since: 1,
    tasks: [{
      name: "worker",
      type: "strict",
      state: "restarting",
      since: 1,
      restarts: 3,
      lastError: new Error("gone"),
    }],
  };
  manager.when("snapshot").returns(set);
  assert.equal(manager.snapshot(), set);
  assert.equal(manager.state, "idle", "the snapshot is the test's alone");
});

test("FakeTaskManager.stop ends the default run, records its reason, and ends a later run at once", async () => {
  const log = new CallLog();
  const manager = new FakeTaskManager("manager", { log });
  const running = manager.run(new AbortController().signal);
  const idle = manager.run(); // no signal: only stop ends it
  assert.equal(await isSettled(running), false);
  const reason = new Error("deploy");
  manager.stop(reason);
  assert.deepEqual(await running, []);
  assert.deepEqual(await idle, []);
  assert.deepEqual(manager.callsOf("stop")[0].args, [reason]);
  manager.stop();
  assert.deepEqual(manager.callsOf("stop")[1].args, []);
  assert.deepEqual(await manager.run(), [], "stopped before run: at once");
  assert.deepEqual(log.sequence(), [
    "manager.run",
    "manager.run",
    "manager.stop",
    "manager.stop",
    "manager.run",
  ]);
});

test("FakeTaskManager.stop does what the test says instead, and leaves other runs to the test", async () => {
  const manager = new FakeTaskManager();
  const gate = manager.when("run").waits();
  const held = manager.run();
  manager.stop();
  assert.equal(await isSettled(held), false, "a run told to wait still waits");
  gate.resolve([]);
  await held;

  const reasons: unknown[] = [];
  manager.when("stop").calls((reason) => void reasons.push(reason));
  manager.when("run").untilAborted([]);
  const other = new FakeTaskManager();
  other.when("stop").calls(() => {});
  const waiting = other.run();
  other.stop("ignored");
  assert.equal(await isSettled(waiting), false, "stop told to do nothing");
  manager.stop("why");
  assert.deepEqual(reasons, ["why"]);
});

test("FakeTaskManager[Symbol.asyncDispose]: stops, waits for run, same promise twice", async () => {
  const idle = new FakeTaskManager();
  await idle[Symbol.asyncDispose](); // no run: at once
  assert.deepEqual(idle.log.sequence(), ["fake-task-manager.asyncDispose"]);
  assert.equal(await isSettled(idle.run()), false, "idle: nothing stopped");

  const manager = new FakeTaskManager();
  const run = manager.run(new AbortController().signal);
  const first = manager[Symbol.asyncDispose]();
  const second = manager[Symbol.asyncDispose]();
  assert.equal(first, second);
  await first;
  assert.deepEqual(await run, []);
  assert.equal(manager.callsOf("asyncDispose").length, 2);
  assert.equal(manager.callsOf("stop").length, 0, "not a call of stop");
});

test("FakeTaskManager[Symbol.asyncDispose] waits for a run the test holds, even one that rejects", async () => {
  const manager = new FakeTaskManager();
  const gate = manager.when("run").waits();
  const run = manager.run();
  const disposed = manager[Symbol.asyncDispose]();
  assert.equal(await isSettled(disposed), false);
  gate.reject(new Error("misuse"));
  await assert.rejects(run, /misuse/);
  await disposed;

  const other = new FakeTaskManager();
  const failure = new Error("cannot dispose");
  other.when("asyncDispose").rejects(failure);
  await assert.rejects(other[Symbol.asyncDispose](), (e) => e === failure);
  other.when("asyncDispose").throws(failure); // a throw becomes a rejection
  await assert.rejects(other[Symbol.asyncDispose](), (e) => e === failure);
});

test("FakeTaskManager works with await using", async () => {
  const manager = new FakeTaskManager();
  let run: Promise<unknown> | undefined;
  {
    await using scoped = manager;
    run = scoped.run();
  }
  assert.deepEqual(await run, []);
  assert.deepEqual(manager.log.sequence(), [
    "fake-task-manager.run",
    "fake-task-manager.asyncDispose",
  ]);
});
