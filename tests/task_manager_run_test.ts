import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Stage, type Task, TaskError, TaskManager, TaskType } from "../mod.ts";
import { isSettled, latch, settle, untilAborted } from "./helpers/tasks.ts";

/** A task that logs each stage into `log` and waits for its signal. */
function logged(
  log: string[],
  name: string,
  overrides: Partial<Task> = {},
): Task {
  return {
    initialize: () => void log.push(`initialize ${name}`),
    execute: (signal) => {
      log.push(`execute ${name}`);
      return untilAborted(signal);
    },
    cleanup: () => void log.push(`cleanup ${name}`),
    ...overrides,
  };
}

test("tasks are initialized one at a time, in the order added", async () => {
  const log: string[] = [];
  const first = latch();
  const manager = new TaskManager();
  manager.addTask(
    "a",
    logged(log, "a", {
      initialize: async () => {
        log.push("initialize a");
        await first.promise;
        log.push("initialized a");
      },
    }),
  );
  manager.addTask("b", logged(log, "b"));
  manager.addTask("c", logged(log, "c"));
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  assert.deepEqual(log, ["initialize a"], "b waits for a");
  first.resolve();
  await settle();
  assert.deepEqual(log.slice(0, 4), [
    "initialize a",
    "initialized a",
    "initialize b",
    "initialize c",
  ]);
  controller.abort();
  await done;
});

test("an initialize failure cleans up it and every earlier task, in reverse, one at a time", async () => {
  const log: string[] = [];
  const boom = new Error("no database");
  const cleanupB = latch();
  const manager = new TaskManager();
  manager.addTask("a", logged(log, "a"));
  manager.addTask(
    "b",
    logged(log, "b", {
      cleanup: async () => {
        log.push("cleanup b started");
        await cleanupB.promise;
        log.push("cleanup b done");
        throw "b cleanup failed";
      },
    }),
  );
  manager.addTask(
    "c",
    logged(log, "c", {
      initialize: () => {
        log.push("initialize c");
        throw boom;
      },
      cleanup: () => {
        log.push("cleanup c");
        throw new Error("c cleanup failed");
      },
    }),
  );
  manager.addTask("d", logged(log, "d"));
  const done = manager.run();
  await settle();
  assert.deepEqual(log, [
    "initialize a",
    "initialize b",
    "initialize c",
    "cleanup c",
    "cleanup b started",
  ], "cleanup of a waits for cleanup of b");
  cleanupB.resolve();
  const errors = await done;
  assert.deepEqual(log.slice(5), ["cleanup b done", "cleanup a"]);
  assert.ok(!log.some((line) => line.startsWith("execute")), "no execute ran");
  assert.ok(!log.includes("initialize d"), "no later initialize");
  assert.deepEqual(
    errors.map((e) => [e.taskName, e.stage]),
    [["c", "initialize"], ["c", "cleanup"], ["b", "cleanup"]],
  );
  assert.equal(errors[0].cause, boom);
  assert.equal(errors[2].cause, "b cleanup failed");
});

test("every execute runs concurrently once all are initialized", async () => {
  const started: string[] = [];
  const gates = [latch(), latch(), latch()];
  const manager = new TaskManager();
  gates.forEach((gate, i) =>
    manager.addTask(`t${i}`, async (signal) => {
      started.push(`t${i}`);
      await gate.promise;
      await untilAborted(signal);
    })
  );
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  assert.deepEqual(started, ["t0", "t1", "t2"], "none waits for another");
  controller.abort();
  assert.equal(await isSettled(done), false, "run waits for every execute");
  gates.forEach((gate) => gate.resolve());
  assert.deepEqual(await done, []);
});

test("each task gets its own signal, all aborted with the caller's reason", async () => {
  const signals: AbortSignal[] = [];
  const manager = new TaskManager();
  for (let i = 0; i < 3; i++) {
    manager.addTask(`t${i}`, {
      initialize: (signal) => void signals.push(signal),
      execute: (signal) => {
        signals.push(signal);
        return untilAborted(signal);
      },
    });
  }
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  assert.equal(
    new Set(signals).size,
    3,
    "one signal per task, for both stages",
  );
  assert.ok(signals.every((s) => !s.aborted));
  const reason = new Error("SIGTERM");
  controller.abort(reason);
  assert.ok(signals.every((s) => s.aborted && s.reason === reason));
  assert.deepEqual(await done, []);
});

test("cleanups run after every execute settled, in reverse order, and one failing does not stop the rest", async () => {
  const log: string[] = [];
  const slow = latch();
  const manager = new TaskManager();
  manager.addTask("a", logged(log, "a"));
  manager.addTask(
    "b",
    logged(log, "b", {
      cleanup: (signal) => {
        log.push(`cleanup b aborted=${signal.aborted}`);
        throw new Error("b failed to close");
      },
    }),
  );
  manager.addTask(
    "c",
    logged(log, "c", {
      execute: async (signal) => {
        log.push("execute c");
        await untilAborted(signal);
        await slow.promise;
        log.push("c settled");
      },
    }),
  );
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  await settle();
  assert.ok(!log.some((l) => l.startsWith("cleanup")), "c has not settled");
  slow.resolve();
  const errors = await done;
  assert.deepEqual(log.slice(-4), [
    "c settled",
    "cleanup c",
    "cleanup b aborted=false",
    "cleanup a",
  ]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].stage, Stage.Cleanup);
  assert.equal(errors[0].taskName, "b");
});

test("whatever a task throws, synchronously or by rejecting, is the cause untouched", async () => {
  const thrown: unknown[] = [
    new Error("an error"),
    "a string",
    undefined,
    null,
    42,
    { plain: "object" },
  ];
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    for (const value of thrown) {
      for (const sync of [true, false]) {
        const manager = new TaskManager();
        manager.addTask(
          "thrower",
          sync
            ? () => {
              throw value;
            }
            : () => Promise.reject(value),
        );
        const errors = await manager.run();
        assert.equal(errors.length, 1);
        assert.ok(errors[0] instanceof TaskError);
        assert.equal(errors[0].stage, "execute");
        assert.equal(errors[0].cause, value);
      }
    }
    for (const value of thrown) {
      const manager = new TaskManager();
      manager.addTask("init", {
        initialize: () => Promise.reject(value),
        execute: () => {},
      });
      manager.addTask("clean", {
        execute: () => {},
        cleanup: () => {
          throw value;
        },
      }, TaskType.Error);
      const errors = await manager.run();
      assert.deepEqual(errors.map((e) => e.stage), ["initialize"]);
      assert.equal(errors[0].cause, value);
    }
    await settle();
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assert.deepEqual(seen, []);
});

test("run rejects when called a second time, and for a signal that is not one", async () => {
  const manager = new TaskManager();
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await assert.rejects(manager.run(), /already called; a manager runs once/);
  controller.abort();
  assert.deepEqual(await done, []);
  await assert.rejects(manager.run(), /already called/);

  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    new TaskManager().run({ aborted: false } as any),
    TypeError,
  );
});

test("run with an already-aborted signal settles at once and calls nothing", async () => {
  const log: string[] = [];
  const manager = new TaskManager();
  manager.addTask("a", logged(log, "a"));
  manager.addExecuteTask("b", (signal) => {
    log.push("execute b");
    return untilAborted(signal);
  });
  assert.deepEqual(await manager.run(AbortSignal.abort()), []);
  assert.deepEqual(log, []);
});

test("an abort during initialization stops it there and cleans up what it initialized", async () => {
  const log: string[] = [];
  const controller = new AbortController();
  let initSignal: AbortSignal | undefined;
  const manager = new TaskManager();
  manager.addTask("a", logged(log, "a"));
  manager.addTask(
    "b",
    logged(log, "b", {
      initialize: async (signal) => {
        initSignal = signal;
        log.push("initialize b");
        await untilAborted(signal);
        log.push("initialize b saw the abort");
      },
    }),
  );
  manager.addTask("c", logged(log, "c"));
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  assert.equal(initSignal?.aborted, true, "the initialize in flight is told");
  assert.deepEqual(await done, []);
  assert.deepEqual(log, [
    "initialize a",
    "initialize b",
    "initialize b saw the abort",
    "cleanup b",
    "cleanup a",
  ]);
});

test("an initialize that rejects with the abort reason after the stop is not an error", async () => {
  const controller = new AbortController();
  const manager = new TaskManager();
  manager.addTask("connect", {
    initialize: async (signal) => {
      await untilAborted(signal);
      signal.throwIfAborted();
    },
    execute: () => {},
  });
  const done = manager.run(controller.signal);
  await settle();
  controller.abort();
  assert.deepEqual(await done, []);
});

test("with no tasks, run waits for the caller's signal", async () => {
  const manager = new TaskManager();
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  assert.equal(await isSettled(done), false);
  controller.abort();
  assert.deepEqual(await done, []);
});

test("the caller's abort listener is removed when run settles", async () => {
  const controller = new AbortController();
  const added: unknown[] = [];
  const removed: unknown[] = [];
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, fn: EventListener, o?: unknown) => {
    added.push(fn);
    add(type, fn, o as AddEventListenerOptions);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListener) => {
    removed.push(fn);
    remove(type, fn);
  }) as typeof signal.removeEventListener;
  const manager = new TaskManager();
  manager.addTask("once", () => {}, TaskType.StopGroup);
  assert.deepEqual(await manager.run(signal), []);
  assert.equal(added.length, 1);
  assert.deepEqual(removed, added);
});

test("synchronous initializes and cleanups run back to back, with no promise turn between them", async () => {
  // A promise per synchronous stage costs a microtask turn each (and once
  // made every lifecycle task about 20% slower): a callback queued by one
  // stage must run only after the whole run of synchronous stages.
  const log: string[] = [];
  const queueNote = (note: string) =>
    void Promise.resolve().then(() => log.push(note));
  const manager = new TaskManager();
  for (const name of ["a", "b", "c"]) {
    manager.addTask(name, {
      initialize: () => {
        log.push(`initialize ${name}`);
        if (name === "a") queueNote("turn after initialize a");
      },
      execute: (signal) => untilAborted(signal),
      cleanup: () => {
        log.push(`cleanup ${name}`);
        if (name === "c") queueNote("turn after cleanup c");
      },
    });
  }
  manager.addTask("stopper", () => {}, TaskType.StopGroup);
  assert.deepEqual(await manager.run(), []);
  assert.deepEqual(log, [
    "initialize a",
    "initialize b",
    "initialize c",
    "turn after initialize a",
    "cleanup c",
    "cleanup b",
    "cleanup a",
    "turn after cleanup c",
  ]);
});
