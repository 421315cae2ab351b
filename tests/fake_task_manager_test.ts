import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AsyncTaskManager,
  ExecuteTaskType,
  Stage,
  TaskError,
  TaskType,
} from "../mod.ts";
import {
  CallLog,
  FakeExecuteTask,
  FakeTask,
  FakeTaskManager,
} from "../src/testing/mod.ts";
import { isSettled } from "./helpers/tasks.ts";

/** Code under test: wires a service into whatever manager it is given. */
async function serve(
  manager: AsyncTaskManager,
  signal?: AbortSignal,
): Promise<number> {
  manager.addTask("db", new FakeTask("db"));
  manager.addTask("migrate", () => {}, TaskType.StopGroup);
  manager.addExecuteTask("warmup", () => {}, ExecuteTaskType.Error);
  const errors = await manager.run(signal);
  return errors.length === 0 ? 0 : 1;
}

test("FakeTaskManager records adds and run, with arguments, in order", async () => {
  const manager = new FakeTaskManager();
  assert.equal(manager.name, "fake-task-manager");
  const controller = new AbortController();
  const exit = serve(manager, controller.signal);
  assert.deepEqual(manager.log.sequence(), [
    "fake-task-manager.addTask",
    "fake-task-manager.addTask",
    "fake-task-manager.addExecuteTask",
    "fake-task-manager.run",
  ]);
  assert.equal(manager.callsOf("addTask")[0].args.length, 2, "as passed");
  assert.equal(manager.callsOf("addTask")[1].args[2], "stop-group");
  assert.equal((await manager.called("run")).signal, controller.signal);
  assert.deepEqual(
    manager.tasks.map(({ method, name, type }) => ({ method, name, type })),
    [
      { method: "addTask", name: "db", type: "strict" },
      { method: "addTask", name: "migrate", type: "stop-group" },
      { method: "addExecuteTask", name: "warmup", type: "error" },
    ],
  );
  assert.ok(manager.tasks[0].task instanceof FakeTask);
  controller.abort();
  assert.equal(await exit, 0);
});

test("FakeTaskManager.run by default waits for its signal, like an idle manager", async () => {
  const manager = new FakeTaskManager();
  const controller = new AbortController();
  const run = manager.run(controller.signal);
  assert.equal(await isSettled(run), false);
  controller.abort();
  assert.deepEqual(await run, []);
  const forever = manager.run(); // no signal: never resolves
  assert.equal(await isSettled(forever), false);
  assert.deepEqual(manager.callsOf("run")[1].args, []);
});

test("FakeTaskManager.run resolves, rejects or waits as the test says", async () => {
  const manager = new FakeTaskManager();
  const failure = new TaskError("db", Stage.Execute, new Error("gone"));
  manager.when("run").resolves([failure]);
  assert.equal(await serve(manager), 1);

  const misuse = new Error("TaskManager.run was already called");
  manager.when("run").rejects(misuse);
  await assert.rejects(manager.run(), (error) => error === misuse);

  manager.when("run").throws(misuse); // a sync throw still becomes a rejection
  await assert.rejects(manager.run(), (error) => error === misuse);

  const gate = manager.when("run").waits();
  const held = manager.run();
  assert.equal(await isSettled(held), false);
  gate.resolve([]);
  assert.deepEqual(await held, []);

  manager.when("run").calls((signal) => {
    assert.equal(signal, undefined);
    return Promise.resolve([failure, failure]);
  });
  assert.equal((await manager.run()).length, 2);
});

test("FakeTaskManager: an add told to throw throws, is recorded, and adds nothing", () => {
  const manager = new FakeTaskManager();
  const stopping = new Error("the manager is stopping or stopped");
  manager.when("addExecuteTask").onCall(1).throws(stopping);
  manager.addExecuteTask("a", () => {});
  assert.throws(
    () => manager.addExecuteTask("b", () => {}),
    (e) => e === stopping,
  );
  manager.addExecuteTask("c", () => {});
  assert.deepEqual(manager.tasks.map((t) => t.name), ["a", "c"]);
  assert.equal(manager.callsOf("addExecuteTask").length, 3);

  const seen: string[] = [];
  manager.when("addTask").calls((name) => void seen.push(name));
  manager.addTask("d", () => {});
  assert.deepEqual(seen, ["d"]);
  manager.when("addTask").throws(new TypeError("bad"));
  assert.throws(() => manager.addTask("e", () => {}), TypeError);
  assert.deepEqual(manager.tasks.map((t) => t.name), ["a", "c", "d"]);
});

test("FakeTaskManager rejects unknown methods at once", () => {
  const manager = new FakeTaskManager();
  assert.throws(
    () => manager.when("start" as "run"),
    /FakeTaskManager.when: unknown method "start"; expected one of "addTask", "addExecuteTask", "run", "stop", "snapshot", "asyncDispose"/,
  );
  assert.throws(() => manager.callsOf("execute" as "run"), TypeError);
});

test("FakeTaskManager methods work when passed around unbound", async () => {
  const manager = new FakeTaskManager();
  const { addExecuteTask, run } = manager;
  addExecuteTask("job", () => {});
  await run(AbortSignal.abort());
  assert.deepEqual(manager.log.sequence(), [
    "fake-task-manager.addExecuteTask",
    "fake-task-manager.run",
  ]);
});

test("FakeTaskManager shares a log with fake tasks run by the test", async () => {
  const log = new CallLog();
  const manager = new FakeTaskManager("manager", { log });
  const worker = new FakeExecuteTask("worker", { log });
  worker.when("execute").resolves();
  // The test plays the manager: it runs what the code under test added.
  manager.when("run").calls(async (signal) => {
    for (const { task } of manager.tasks) {
      if (typeof task !== "function") await task.execute(signal!);
    }
    return [];
  });
  manager.addExecuteTask("worker", worker);
  assert.deepEqual(await manager.run(new AbortController().signal), []);
  assert.deepEqual(log.sequence(), [
    "manager.addExecuteTask",
    "manager.run",
    "worker.execute",
  ]);
});
