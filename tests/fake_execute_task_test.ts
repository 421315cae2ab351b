import { test } from "node:test";
import assert from "node:assert/strict";
import { ExecuteTaskType, TaskManager } from "../mod.ts";
import { CallLog, FakeExecuteTask, FakeTask } from "../src/testing/mod.ts";
import { isSettled } from "./helpers/tasks.ts";

test("FakeExecuteTask by default resolves once its signal aborts", async () => {
  const task = new FakeExecuteTask();
  assert.equal(task.name, "fake-execute-task");
  assert.equal("initialize" in task || "cleanup" in task, false);
  const controller = new AbortController();
  const running = Promise.resolve(task.execute(controller.signal));
  assert.equal(await isSettled(running), false);
  controller.abort();
  await running;
  assert.equal(task.callsOf("execute")[0].signal, controller.signal);
});

test("FakeExecuteTask takes the same behaviours as a FakeTask stage", async () => {
  const task = new FakeExecuteTask("job");
  const signal = new AbortController().signal;
  task.when("execute").returns();
  assert.equal(task.execute(signal), undefined);
  task.when("execute").throws("sync");
  assert.throws(() => task.execute(signal), (error) => error === "sync");
  task.when("execute").rejects(new Error("async"));
  await assert.rejects(Promise.resolve(task.execute(signal)), /async/);
  const gate = task.when("execute").waits();
  const held = Promise.resolve(task.execute(signal));
  assert.equal(await isSettled(held), false);
  gate.resolve();
  await held;
  task.when("execute").onCall(5).resolves();
  task.when("execute").calls(() => {
    throw new Error("default");
  });
  assert.throws(() => task.execute(signal), /default/);
  await task.execute(signal); // call 5
  assert.deepEqual(task.calls.map((call) => call.nth), [0, 1, 2, 3, 4, 5]);
});

test("FakeExecuteTask knows only execute", () => {
  const task = new FakeExecuteTask("job");
  assert.throws(
    () => task.when("initialize" as "execute"),
    /FakeExecuteTask.when: unknown method "initialize"; expected one of "execute"/,
  );
  assert.throws(() => task.called("cleanup" as "execute"), TypeError);
});

test("FakeExecuteTask works as a bare ExecuteFn", async () => {
  const task = new FakeExecuteTask("fn");
  const { execute } = task;
  await execute(AbortSignal.abort());
  assert.equal(task.calls.length, 1);
});

test("FakeExecuteTask added while a real manager runs starts at once, with the manager's stop", async () => {
  const log = new CallLog();
  const server = new FakeTask("server", { log });
  const request = new FakeExecuteTask("request", { log });
  const worker = new FakeExecuteTask("worker", { log });
  request.when("execute").resolves();
  const manager = new TaskManager();
  manager.addTask("server", server);
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await server.called("execute");
  manager.addExecuteTask("request", request, ExecuteTaskType.Error);
  manager.addExecuteTask("worker", worker);
  const { signal } = await worker.called("execute");
  assert.equal(signal?.aborted, false);
  controller.abort();
  assert.equal(signal?.aborted, true);
  assert.deepEqual(await done, []);
  assert.deepEqual(log.sequence(), [
    "server.initialize",
    "server.execute",
    "request.execute",
    "worker.execute",
    "server.cleanup",
  ]);
});

test("FakeExecuteTask that fails is reported by a real manager", async () => {
  const task = new FakeExecuteTask("job");
  const boom = new Error("job failed");
  task.when("execute").rejects(boom);
  const manager = new TaskManager();
  manager.addExecuteTask("job", task, ExecuteTaskType.Error);
  const [error] = await manager.run();
  assert.equal(error.taskName, "job");
  assert.equal(error.cause, boom);
});
