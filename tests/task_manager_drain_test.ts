/**
 * Draining before the stop (DESIGN.md "Draining before the stop"), on
 * virtual time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ManagerState, TaskManager } from "../mod.ts";
import {
  advance,
  latch,
  onVirtualTime,
  settle,
  untilAborted,
} from "./helpers/tasks.ts";

/** A task that records when its signal aborted. */
function watched(): {
  task: (signal: AbortSignal) => Promise<void>;
  at: () => number | undefined;
} {
  let at: number | undefined;
  return {
    task: async (signal) => {
      await untilAborted(signal);
      at = Date.now();
    },
    at: () => at,
  };
}

test("an outside stop drains: draining at once, task signals aborted drainDelay ms later", async () => {
  for (const how of ["signal", "stop()"] as const) {
    await onVirtualTime(async () => {
      const manager = new TaskManager({ drainDelay: 5_000 });
      const states: ManagerState[] = [];
      manager.addEventListener("statechange", (e) => states.push(e.to));
      const server = watched();
      manager.addTask("server", server.task);
      const caller = new AbortController();
      const done = manager.run(caller.signal);
      await advance(0);
      if (how === "signal") caller.abort();
      else manager.stop();
      assert.equal(manager.state, "draining", how);
      await advance(4_999);
      assert.equal(server.at(), undefined, `${how}: still serving at 4999 ms`);
      await advance(1);
      assert.equal(server.at(), 5_000, how);
      assert.deepEqual(await done, []);
      assert.deepEqual(states, [
        "initializing",
        "running",
        "draining",
        "stopping",
        "stopped",
      ]);
    });
  }
});

test("shutdownTimeout counts from the end of the drain", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager({
      drainDelay: 1_000,
      shutdownTimeout: 500,
    });
    manager.addTask("stubborn", () => new Promise(() => {}));
    const done = manager.run();
    await advance(0);
    manager.stop();
    await advance(1_000); // drain over: signals abort, the deadline starts
    await advance(499);
    assert.equal(manager.state, "stopping");
    await advance(1);
    const [error] = await done;
    assert.equal(error.cause?.constructor.name, "ShutdownTimeoutError");
  });
});

test("a stop caused by a task does not drain, and a failure during a drain ends it at once", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager({ drainDelay: 5_000 });
    const server = watched();
    manager.addTask("server", server.task);
    manager.addTask("job", () => {}, "stop-group"); // returns: stops the manager
    const states: ManagerState[] = [];
    manager.addEventListener("statechange", (e) => states.push(e.to));
    const done = manager.run();
    assert.deepEqual(await done, []);
    assert.ok(
      !states.includes("draining"),
      "no drain for the stop-group's end",
    );
    assert.equal(server.at(), 0);
  });
  await onVirtualTime(async () => {
    const manager = new TaskManager({ drainDelay: 5_000 });
    const server = watched();
    const fail = latch();
    manager.addTask("server", server.task);
    manager.addTask("worker", async () => {
      await fail.promise;
      throw new Error("crashed while draining");
    });
    const done = manager.run();
    await advance(0);
    manager.stop();
    await advance(1_000);
    assert.equal(manager.state, "draining");
    fail.resolve();
    const errors = await done; // no time passes: the drain ended at once
    assert.equal(server.at(), 1_000);
    assert.equal(errors.length, 1);
  });
});

test("while draining, addExecuteTask still starts tasks; a second stop changes nothing", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager({ drainDelay: 1_000 });
    manager.addTask("server", untilAborted);
    const done = manager.run();
    await advance(0);
    manager.stop();
    let started = false;
    manager.addExecuteTask("request", () => {
      started = true;
    }, "error");
    assert.equal(started, true);
    manager.stop();
    await advance(500);
    assert.equal(manager.state, "draining");
    await advance(500);
    assert.deepEqual(await done, []);
  });
});

test("a stop during initialization, or with drainDelay 0, does not drain", async () => {
  const manager = new TaskManager({ drainDelay: 60_000 });
  const init = latch();
  manager.addTask("db", {
    initialize: () => init.promise,
    execute: untilAborted,
  });
  const done = manager.run();
  manager.stop();
  assert.equal(manager.state, "stopping");
  init.resolve();
  assert.deepEqual(await done, []);

  const plain = new TaskManager();
  plain.addTask("server", untilAborted);
  const finished = plain.run();
  await settle();
  plain.stop();
  assert.equal(plain.state, "stopping");
  assert.deepEqual(await finished, []);
});

test("drainDelay is validated like shutdownTimeout", () => {
  for (const drainDelay of [-1, NaN, 2 ** 31]) {
    assert.throws(() => new TaskManager({ drainDelay }), RangeError);
  }
  assert.throws(
    () => new TaskManager({ drainDelay: "5" as unknown as number }),
    TypeError,
  );
});
