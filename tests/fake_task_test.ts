import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskManager } from "../mod.ts";
import { CallLog, FakeTask } from "../src/testing/mod.ts";
import { isSettled } from "./helpers/tasks.ts";

const live = () => new AbortController().signal;

test("FakeTask by default: initialize and cleanup resolve, execute waits for its signal", async () => {
  const task = new FakeTask();
  assert.equal(task.name, "fake-task");
  const init = task.initialize(live());
  assert.ok(init instanceof Promise);
  assert.equal(await isSettled(init), true);
  assert.equal(await isSettled(Promise.resolve(task.cleanup(live()))), true);

  const controller = new AbortController();
  const running = Promise.resolve(task.execute(controller.signal));
  assert.equal(await isSettled(running), false);
  controller.abort();
  assert.equal(await running, undefined);
});

test("FakeTask records every call with its signal, in order", async () => {
  const task = new FakeTask("db");
  const a = live();
  const b = AbortSignal.abort();
  await task.initialize(a);
  await task.execute(b);
  await task.cleanup(a);
  await task.cleanup(b);
  assert.deepEqual(task.log.sequence(), [
    "db.initialize",
    "db.execute",
    "db.cleanup",
    "db.cleanup",
  ]);
  const [init, exec, clean0, clean1] = task.calls;
  assert.deepEqual(
    { ...init, args: [...init.args] },
    {
      fake: "db",
      method: "initialize",
      args: [a],
      signal: a,
      position: 0,
      nth: 0,
    },
  );
  assert.equal(exec.signal, b);
  assert.equal(clean0.nth, 0);
  assert.equal(clean1.nth, 1);
  assert.equal(clean1.position, 3);
  assert.deepEqual(task.callsOf("cleanup"), [clean0, clean1]);
  assert.ok(Object.isFrozen(init) && Object.isFrozen(init.args));
});

test("FakeTask stages return or throw synchronously when told to", () => {
  const task = new FakeTask("sync");
  task.when("initialize").returns();
  assert.equal(task.initialize(live()), undefined);
  const boom = new Error("boom");
  task.when("execute").throws(boom);
  assert.throws(() => task.execute(live()), (error) => error === boom);
  task.when("cleanup").throws("a string");
  assert.throws(() => task.cleanup(live()), (error) => error === "a string");
});

test("FakeTask stages resolve or reject when told to", async () => {
  const task = new FakeTask("async");
  task.when("execute").resolves();
  assert.equal(await task.execute(live()), undefined);
  task.when("execute").rejects(undefined);
  await assert.rejects(
    Promise.resolve(task.execute(live())),
    (error) => error === undefined,
  );
});

test("FakeTask waits(): calls wait for the latch, and later calls see how it settled", async () => {
  const task = new FakeTask("gated");
  const gate = task.when("initialize").waits();
  const first = Promise.resolve(task.initialize(live()));
  const second = Promise.resolve(task.initialize(live()));
  assert.equal(gate.settled, false);
  assert.equal(await isSettled(first), false);
  gate.resolve();
  assert.equal(gate.settled, true);
  await first;
  await second;
  await task.initialize(live()); // after the latch: at once

  const failing = task.when("cleanup").waits();
  const boom = new Error("cleanup failed");
  failing.reject(boom); // before any call: not an unhandled rejection
  await assert.rejects(
    Promise.resolve(task.cleanup(live())),
    (error) => error === boom,
  );
});

test("FakeTask untilAborted() and calls(fn)", async () => {
  const task = new FakeTask("custom");
  task.when("execute").resolves();
  task.when("execute").untilAborted();
  assert.equal(await task.execute(AbortSignal.abort()), undefined);

  const seen: AbortSignal[] = [];
  task.when("initialize").calls((signal) => {
    seen.push(signal);
    return Promise.resolve();
  });
  const signal = live();
  await task.initialize(signal);
  assert.deepEqual(seen, [signal]);
});

test("FakeTask onCall(n) sets one call only, whatever the default", async () => {
  const task = new FakeTask("flaky");
  task.when("execute").onCall(1).rejects(new Error("second fails"));
  task.when("execute").resolves();
  await task.execute(live());
  await assert.rejects(Promise.resolve(task.execute(live())), /second fails/);
  await task.execute(live());
  assert.equal(task.callsOf("execute").length, 3);
});

test("FakeTask stages work detached from the object, as bare functions", async () => {
  const task = new FakeTask("detached");
  const { initialize, execute } = task;
  await initialize(live());
  await execute(AbortSignal.abort());
  assert.deepEqual(task.log.sequence(), [
    "detached.initialize",
    "detached.execute",
  ]);
});

test("FakeTask called(stage, n) resolves once that call has been made", async () => {
  const task = new FakeTask("slow");
  task.when("execute").resolves();
  const second = task.called("execute", 1);
  assert.equal(await isSettled(second), false);
  await task.execute(live());
  assert.equal(await isSettled(second), false);
  const signal = live();
  await task.execute(signal);
  const call = await second;
  assert.equal(call.signal, signal);
  assert.equal(call.nth, 1);
  assert.equal(await task.called("execute"), task.calls[0]); // already made
});

test("FakeTask rejects typos and bad numbers at once, so no test hangs on them", () => {
  const task = new FakeTask("strict");
  // deno-lint-ignore no-explicit-any
  const anyTask = task as any;
  assert.throws(
    () => anyTask.when("excute"),
    /FakeTask.when: unknown method "excute"; expected one of "initialize", "execute", "cleanup"/,
  );
  assert.throws(() => anyTask.called("run"), TypeError);
  assert.throws(() => task.callsOf("boot" as "execute"), TypeError);
  assert.throws(() => task.called("execute", -1), RangeError);
  assert.throws(() => task.called("execute", 1.5), RangeError);
  assert.throws(() => task.when("execute").onCall(-1), RangeError);
  assert.throws(() => anyTask.when("execute").calls("nope"), TypeError);
  assert.throws(() => new FakeTask(""), TypeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new FakeTask("x", { log: {} as any }), TypeError);
});

test("FakeTask: fakes sharing a log need distinct names", () => {
  const log = new CallLog();
  new FakeTask("db", { log });
  assert.throws(
    () => new FakeTask("db", { log }),
    /the log already has a fake named "db"/,
  );
  new FakeTask("db"); // its own log: fine
});

test("FakeTask with a real TaskManager: a shared log shows the order across tasks", async () => {
  const log = new CallLog();
  const db = new FakeTask("db", { log });
  const server = new FakeTask("server", { log });
  const manager = new TaskManager();
  manager.addTask("db", db);
  manager.addTask("server", server);
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await server.called("execute");
  log.record("test", "abort", []);
  controller.abort();
  assert.deepEqual(await done, []);
  assert.deepEqual(log.sequence(), [
    "db.initialize",
    "server.initialize",
    "db.execute",
    "server.execute",
    "test.abort",
    "server.cleanup",
    "db.cleanup",
  ]);
  // Each task got its own signal, both aborted by the stop.
  const [dbRun, serverRun] = [
    db.callsOf("execute")[0],
    server.callsOf("execute")[0],
  ];
  assert.notEqual(dbRun.signal, serverRun.signal);
  assert.ok(dbRun.signal?.aborted && serverRun.signal?.aborted);
});

test("FakeTask with a real TaskManager: a failed initialize is cleaned up", async () => {
  const task = new FakeTask("db");
  task.when("initialize").rejects(new Error("no database"));
  const manager = new TaskManager();
  manager.addTask("db", task);
  const [error] = await manager.run();
  assert.equal(error.stage, "initialize");
  assert.equal((error.cause as Error).message, "no database");
  assert.deepEqual(task.log.sequence(), ["db.initialize", "db.cleanup"]);
});
