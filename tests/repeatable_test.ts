import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { TaskManager } from "../mod.ts";
import { repeatable } from "../src/tasks/mod.ts";
import { FakeTask } from "../src/testing/mod.ts";
import { isSettled, settle } from "./helpers/tasks.ts";
import { spyOnTimers } from "./helpers/timer_spy.ts";

test("repeatable refuses a bad task or bad options with a TypeError", () => {
  const cases: [unknown, unknown, RegExp][] = [
    [null, undefined, /repeatable: task must be a function or an object/],
    [42, undefined, /task must be a function or an object .* got 42/],
    [{}, undefined, /repeatable: task.execute must be a function/],
    [
      { execute() {}, cleanup: 1 },
      undefined,
      /task.cleanup must be a function/,
    ],
    [() => {}, "fast", /repeatable: options must be an object/],
    [() => {}, { onError: true }, /options.onError must be a function/],
  ];
  for (const [task, options, message] of cases) {
    // deno-lint-ignore no-explicit-any
    assert.throws(() => repeatable(task as any, options as any), (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, message);
      return true;
    });
  }
});

test("repeatable passes initialize and cleanup through, bound to the task", async () => {
  const task = new FakeTask("db");
  const wrapped = repeatable(task);
  const signal = new AbortController().signal;
  await wrapped.initialize?.(signal);
  await wrapped.cleanup?.(signal);
  assert.deepEqual(task.log.sequence(), ["db.initialize", "db.cleanup"]);
  assert.equal(task.callsOf("initialize")[0].signal, signal);

  const bare = repeatable(() => {});
  assert.equal("initialize" in bare || "cleanup" in bare, false);
});

test("repeatable re-runs execute, one round at a time, until the signal aborts", async () => {
  const task = new FakeTask("job");
  const controller = new AbortController();
  let running = 0;
  task.when("execute").calls(async (signal) => {
    assert.equal(signal, controller.signal);
    assert.equal(++running, 1, "rounds must not overlap");
    await Promise.resolve();
    running--;
    if (task.callsOf("execute").length === 5) controller.abort();
  });
  await repeatable(task).execute(controller.signal);
  assert.equal(task.callsOf("execute").length, 5);
});

test("repeatable swallows every kind of error and keeps going", async () => {
  const task = new FakeTask("flaky");
  const controller = new AbortController();
  task.when("execute").onCall(0).rejects(new Error("boom"));
  task.when("execute").onCall(1).throws("a string");
  task.when("execute").onCall(2).rejects(undefined);
  task.when("execute").onCall(3).calls(() => controller.abort());
  await repeatable(task).execute(controller.signal);
  assert.equal(task.callsOf("execute").length, 4);
});

test("repeatable shows each error to onError, but not the echo of the stop", async () => {
  const task = new FakeTask("flaky");
  const controller = new AbortController();
  const seen: unknown[] = [];
  task.when("execute").onCall(0).rejects(new Error("first"));
  task.when("execute").onCall(1).throws(7);
  task.when("execute").onCall(2).calls((signal) => {
    controller.abort();
    return Promise.reject(signal.reason); // stopped as asked: no error
  });
  await repeatable(task, { onError: (error) => void seen.push(error) })
    .execute(controller.signal);
  assert.equal(seen.length, 2);
  assert.equal((seen[0] as Error).message, "first");
  assert.equal(seen[1], 7);
});

test("repeatable: a round that echoes a NaN stop reason is not an error", async () => {
  const controller = new AbortController();
  const seen: unknown[] = [];
  await repeatable((signal) => {
    controller.abort(NaN);
    return Promise.reject(signal.reason);
  }, { onError: (error) => void seen.push(error) }).execute(controller.signal);
  assert.deepEqual(seen, []);
});

test("repeatable fails with what onError throws, and stops repeating", async () => {
  const task = new FakeTask("flaky");
  task.when("execute").rejects(new Error("round failed"));
  const giveUp = new Error("giving up");
  let calls = 0;
  const wrapped = repeatable(task, {
    onError: async (error) => {
      assert.equal((error as Error).message, "round failed");
      if (++calls === 3) throw giveUp;
      await Promise.resolve();
    },
  });
  await assert.rejects(
    Promise.resolve(wrapped.execute(new AbortController().signal)),
    (error) => error === giveUp,
  );
  assert.equal(task.callsOf("execute").length, 3);
});

test("repeatable does not starve timers: an instant task stopped by a timer stops", async () => {
  let rounds = 0;
  const controller = new AbortController();
  const timers = spyOnTimers();
  try {
    setTimeout(() => controller.abort(), 0);
    await repeatable(() => {
      rounds++;
    }).execute(controller.signal);
    assert.equal(timers.pending(), 0, "the yield's timer must be cleared");
  } finally {
    timers.restore();
  }
  assert.ok(rounds > 0);
});

test("repeatable does not starve I/O: a file read completes while it spins", async () => {
  const controller = new AbortController();
  const read = readFile(new URL(import.meta.url)).then((bytes) => {
    controller.abort();
    return bytes.length;
  });
  let rounds = 0;
  await repeatable(async () => {
    rounds++;
    await Promise.resolve();
  }).execute(controller.signal);
  assert.ok((await read) > 0);
  assert.ok(rounds > 0);
});

test("repeatable waits for the round in flight, then starts no other", async () => {
  const task = new FakeTask("slow");
  const gate = task.when("execute").waits();
  const controller = new AbortController();
  const done = Promise.resolve(repeatable(task).execute(controller.signal));
  await task.called("execute");
  controller.abort();
  assert.equal(await isSettled(done), false);
  gate.resolve();
  await done;
  await settle();
  assert.equal(task.callsOf("execute").length, 1);
});

test("repeatable with an already aborted signal runs no round", async () => {
  const task = new FakeTask("never");
  await repeatable(task).execute(AbortSignal.abort());
  assert.equal(task.callsOf("execute").length, 0);
});

test("repeatable under a TaskManager: initialize, many rounds, cleanup, no error", async () => {
  const task = new FakeTask("poller");
  task.when("execute").resolves();
  const manager = new TaskManager();
  manager.addTask("poller", repeatable(task));
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await task.called("execute", 50);
  controller.abort();
  assert.deepEqual(await done, []);
  const sequence = task.log.sequence();
  assert.equal(sequence[0], "poller.initialize");
  assert.equal(sequence.at(-1), "poller.cleanup");
  assert.ok(task.callsOf("execute").length > 50);
});
