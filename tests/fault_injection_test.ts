/**
 * Fault injection: hostile or misbehaving tasks that random programs do not
 * produce. Each has one defined outcome: a clear error at once, or a
 * TaskError in the result, and nothing lost (every cleanup due still runs,
 * `run` still resolves, no rejection escapes).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ExecuteTaskType,
  ShutdownTimeoutError,
  type Task,
  type TaskError,
  TaskManager,
  TaskType,
} from "../mod.ts";
import { settle, untilAborted } from "./helpers/tasks.ts";

/** Names, stages and causes of a run's errors. */
const summary = (errors: TaskError[]) =>
  errors.map((e) => [e.taskName, e.stage, e.cause]);

test("a task whose execute getter throws is refused with a TypeError that keeps the cause", async () => {
  const manager = new TaskManager();
  const getterError = new Error("no execute for you");
  const hostile = {
    get execute(): () => void {
      throw getterError;
    },
  };
  for (
    const add of [
      () => manager.addTask("bad", hostile as Task),
      () => manager.addExecuteTask("bad", hostile),
    ]
  ) {
    assert.throws(add, (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /"bad".*reading the task's methods threw/);
      assert.equal(error.cause, getterError);
      return true;
    });
  }
  // Nothing changed: the manager runs as if the bad task had never been added.
  const ran: string[] = [];
  manager.addTask("good", () => {
    ran.push("good");
  }, TaskType.StopGroup);
  assert.deepEqual(await manager.run(), []);
  assert.deepEqual(ran, ["good"]);
});

test("a task whose initialize or cleanup getter throws is refused at addTask", () => {
  for (const stage of ["initialize", "cleanup"]) {
    const task = { execute() {} };
    Object.defineProperty(task, stage, {
      get() {
        throw new Error(`${stage} getter`);
      },
    });
    const manager = new TaskManager();
    assert.throws(() => manager.addTask("bad", task), TypeError);
  }
});

test("a Proxy task: each stage is read once, when added, and called on the proxy", async () => {
  const reads: PropertyKey[] = [];
  const selves: unknown[] = [];
  const target = {
    initialize() {
      selves.push(this);
    },
    execute() {
      selves.push(this);
    },
    cleanup() {
      selves.push(this);
    },
  };
  const proxy = new Proxy(target, {
    get(object, key, receiver) {
      reads.push(key);
      return Reflect.get(object, key, receiver);
    },
  });
  const manager = new TaskManager();
  manager.addTask("proxied", proxy, TaskType.StopGroup);
  assert.deepEqual(reads.sort(), ["cleanup", "execute", "initialize"]);
  assert.deepEqual(await manager.run(), []);
  assert.deepEqual(reads.sort(), ["cleanup", "execute", "initialize"]);
  assert.deepEqual(selves, [proxy, proxy, proxy]);
});

test("a Proxy task whose traps throw, or a revoked one, is refused with a TypeError", () => {
  const throwing = new Proxy({}, {
    get() {
      throw new Error("trap");
    },
  });
  const { proxy: revoked, revoke } = Proxy.revocable({ execute() {} }, {});
  revoke();
  const manager = new TaskManager();
  assert.throws(() => manager.addTask("throwing", throwing as Task), TypeError);
  assert.throws(() => manager.addExecuteTask("revoked", revoked), TypeError);
});

test("a Proxy around a function is a valid execute function", async () => {
  let calls = 0;
  const fn = new Proxy(() => {}, {
    apply() {
      calls++;
    },
  });
  const manager = new TaskManager();
  manager.addTask("proxied function", fn, TaskType.StopGroup);
  assert.deepEqual(await manager.run(), []);
  assert.equal(calls, 1);
});

test("a stage that throws a Proxy on which every operation throws becomes a TaskError", async () => {
  const trap = () => {
    throw new Error("hostile");
  };
  const hostile = new Proxy({}, {
    get: trap,
    getPrototypeOf: trap,
    has: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
  });
  const manager = new TaskManager();
  manager.addTask("thrower", () => {
    throw hostile;
  });
  const errors = await manager.run();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].cause, hostile);
  assert.match(errors[0].message, /cannot be described/);
});

test("a cleanup that never settles is abandoned at shutdownTimeout; the other cleanups still run", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const manager = new TaskManager({ shutdownTimeout: 1_000 });
  const cleaned: string[] = [];
  let stuckSignal: AbortSignal | undefined;
  manager.addTask("first", {
    execute: untilAborted,
    cleanup: () => {
      cleaned.push("first");
    },
  });
  manager.addTask("stuck", {
    execute: untilAborted,
    cleanup: (signal) => {
      stuckSignal = signal;
      return new Promise(() => {}); // never settles, ignores its signal
    },
  });
  manager.addTask("last", {
    execute: untilAborted,
    cleanup: () => {
      cleaned.push("last");
    },
  });
  const caller = new AbortController();
  let settled = false;
  const done = manager.run(caller.signal).finally(() => settled = true);
  caller.abort();
  await settle(10);
  assert.deepEqual(cleaned, ["last"]);
  assert.equal(stuckSignal?.aborted, false);
  t.mock.timers.tick(999);
  await settle(10);
  assert.equal(settled, false, "run gave up on the cleanup too early");
  t.mock.timers.tick(1);
  const errors = await done;
  assert.deepEqual(cleaned, ["last", "first"]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "stuck");
  assert.equal(errors[0].stage, "cleanup");
  assert.ok(errors[0].cause instanceof ShutdownTimeoutError);
  // The abandoned cleanup is told, through its signal, that it was given up.
  assert.equal(stuckSignal?.aborted, true);
  assert.equal(stuckSignal?.reason, errors[0].cause);
});

test("without shutdownTimeout, run waits for a cleanup that never settles", async () => {
  const manager = new TaskManager();
  manager.addTask("stuck", {
    execute: () => {},
    cleanup: () => new Promise(() => {}),
  }, TaskType.StopGroup);
  let settled = false;
  manager.run().finally(() => settled = true);
  await settle(50);
  assert.equal(settled, false);
});

test("addExecuteTask inside a cleanup throws a clear error, and the task never runs", async () => {
  const manager = new TaskManager();
  let refusal: unknown;
  let executed = false;
  manager.addTask("catches", {
    execute: untilAborted,
    cleanup() {
      try {
        manager.addExecuteTask("late", () => {
          executed = true;
        });
      } catch (error) {
        refusal = error;
      }
    },
  });
  manager.addTask("lets it fly", {
    execute: untilAborted,
    cleanup() {
      manager.addExecuteTask("late too", () => {
        executed = true;
      });
    },
  });
  const caller = new AbortController();
  const done = manager.run(caller.signal);
  await settle(1);
  caller.abort();
  const errors = await done;
  assert.ok(refusal instanceof Error && !(refusal instanceof TypeError));
  assert.match(
    refusal.message,
    /addExecuteTask\("late"\).*stopping or stopped/,
  );
  // Not caught, the refusal is that cleanup's failure; the other cleanup ran.
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "lets it fly");
  assert.equal(errors[0].stage, "cleanup");
  assert.match(
    (errors[0].cause as Error).message,
    /addExecuteTask\("late too"\).*stopping or stopped/,
  );
  assert.equal(executed, false);
});

test("addExecuteTask inside an abort listener on a task's signal throws: the manager is stopping", async () => {
  const manager = new TaskManager();
  let refusal: unknown;
  let executed = false;
  manager.addTask("listener", (signal) => {
    signal.addEventListener("abort", () => {
      try {
        manager.addExecuteTask("late", () => {
          executed = true;
        });
      } catch (error) {
        refusal = error;
      }
    });
    return untilAborted(signal);
  });
  const caller = new AbortController();
  const done = manager.run(caller.signal);
  await settle(1);
  caller.abort();
  assert.deepEqual(await done, []);
  assert.ok(refusal instanceof Error);
  assert.match(refusal.message, /stopping or stopped/);
  assert.equal(executed, false);
});

test("addExecuteTask inside an abort listener on the caller's signal: before run's listener it runs and is awaited", async () => {
  const manager = new TaskManager();
  const caller = new AbortController();
  let lateSignal: AbortSignal | undefined;
  let finishLate!: () => void;
  // Registered before run: called before the manager hears of the abort.
  caller.signal.addEventListener("abort", () => {
    manager.addExecuteTask("late", (signal) => {
      lateSignal = signal;
      return new Promise<void>((resolve) => finishLate = resolve);
    }, ExecuteTaskType.Error);
  });
  manager.addTask("server", untilAborted);
  const done = manager.run(caller.signal);
  await settle(1);
  let settled = false;
  done.finally(() => settled = true);
  caller.abort();
  // The late task started, and the stop that followed aborted its signal.
  assert.equal(lateSignal?.aborted, true);
  await settle(10);
  assert.equal(settled, false, "run did not wait for the late task");
  finishLate();
  assert.deepEqual(await done, []);
});

test("addExecuteTask inside an abort listener on the caller's signal: after run's listener it throws", async () => {
  const manager = new TaskManager();
  const caller = new AbortController();
  manager.addTask("server", untilAborted);
  const done = manager.run(caller.signal);
  let refusal: unknown;
  caller.signal.addEventListener("abort", () => {
    try {
      manager.addExecuteTask("late", () => {});
    } catch (error) {
      refusal = error;
    }
  });
  await settle(1);
  caller.abort();
  assert.deepEqual(await done, []);
  assert.match((refusal as Error).message, /stopping or stopped/);
});

test("run called from inside a task rejects with a clear error; the first run goes on", async () => {
  const manager = new TaskManager();
  const refusals: unknown[] = [];
  const nested = async () => {
    await manager.run().catch((error) => refusals.push(error));
  };
  manager.addTask("initializer", {
    initialize: nested,
    execute: untilAborted,
    cleanup: nested,
  });
  manager.addTask("executor", async (signal) => {
    await nested();
    await untilAborted(signal);
  });
  // Returns the rejected promise: typed as void, as a careless task would be.
  manager.addTask(
    "returns it",
    () => manager.run() as unknown as Promise<void>,
    TaskType.Error,
  );
  const caller = new AbortController();
  const done = manager.run(caller.signal);
  await settle(1);
  caller.abort();
  const errors = await done;
  assert.equal(refusals.length, 3);
  for (const refusal of refusals) {
    assert.match((refusal as Error).message, /run was already called/);
  }
  // A task that returns the rejected promise fails with that error.
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "returns it");
  assert.match((errors[0].cause as Error).message, /run was already called/);
});

test("an execute returning a value, a thenable, or a throwing thenable has a defined outcome", async () => {
  const boom = new Error("thenable rejected");
  const cases: [string, () => unknown, unknown[]][] = [
    ["a number", () => 42, []],
    ["null", () => null, []],
    ["a resolving thenable", () => ({ then: (ok: () => void) => ok() }), []],
    ["a rejecting thenable", () => ({
      then: (_: unknown, no: (e: unknown) => void) => no(boom),
    }), [boom]],
    ["a thenable whose then throws", () => ({
      then() {
        throw boom;
      },
    }), [boom]],
    ["a thenable that resolves, then rejects", () => ({
      then(ok: () => void, no: (e: unknown) => void) {
        ok();
        no(boom);
      },
    }), []],
  ];
  for (const [label, execute, causes] of cases) {
    const manager = new TaskManager();
    manager.addTask(label, execute as () => void, TaskType.Error);
    const caller = new AbortController();
    const done = manager.run(caller.signal);
    await settle(5);
    caller.abort();
    const errors = await done;
    assert.deepEqual(errors.map((e) => e.cause), causes, label);
  }
});

test("an execute that stops the manager while the others start: later tasks never execute, every task is cleaned up", async () => {
  const manager = new TaskManager();
  const events: string[] = [];
  const task = (name: string, execute: (signal: AbortSignal) => unknown) => ({
    initialize: () => {
      events.push(`initialize ${name}`);
    },
    execute: (signal: AbortSignal) => {
      events.push(`execute ${name}`);
      return execute(signal) as void;
    },
    cleanup: () => {
      events.push(`cleanup ${name}`);
    },
  });
  manager.addTask("server", task("server", untilAborted));
  manager.addTask("quitter", task("quitter", () => {})); // strict: returns
  manager.addTask("never started", task("never started", untilAborted));
  const errors = await manager.run();
  assert.deepEqual(summary(errors).map(([name, stage]) => [name, stage]), [[
    "quitter",
    "execute",
  ]]);
  assert.deepEqual(events, [
    "initialize server",
    "initialize quitter",
    "initialize never started",
    "execute server",
    "execute quitter",
    "cleanup never started",
    "cleanup quitter",
    "cleanup server",
  ]);
});

test("run with something that is not an AbortSignal rejects with a TypeError and leaves the manager runnable", async () => {
  const manager = new TaskManager();
  manager.addTask("job", () => {}, TaskType.StopGroup);
  await assert.rejects(
    manager.run({ aborted: false } as unknown as AbortSignal),
    TypeError,
  );
  assert.deepEqual(await manager.run(), []);
});
