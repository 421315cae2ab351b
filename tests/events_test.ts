/**
 * Observability (DESIGN.md "Observability"): states, snapshots and events,
 * `stop()` and `[Symbol.asyncDispose]`.
 */
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ManagerState,
  ManagerStateEvent,
  type TaskError,
  TaskErrorEvent,
  TaskEvent,
  TaskManager,
  type TaskState,
} from "../mod.ts";
import {
  advance,
  latch,
  onVirtualTime,
  settle,
  untilAborted,
} from "./helpers/tasks.ts";

/** Every event of `manager`, as one line each. */
function record(manager: TaskManager): string[] {
  const lines: string[] = [];
  manager.addEventListener("statechange", (e) => {
    assert.ok(e instanceof ManagerStateEvent);
    lines.push(`state ${e.from}->${e.to}`);
  });
  for (const type of ["taskstart", "taskstop", "taskrestart"] as const) {
    manager.addEventListener(type, (e) => {
      assert.ok(e instanceof TaskEvent);
      const error = "error" in e ? ` error=${(e.error as Error)?.message}` : "";
      const delay = e.delay === undefined ? "" : ` delay=${e.delay}`;
      lines.push(`${type} ${e.taskName}#${e.attempt}${error}${delay}`);
    });
  }
  manager.addEventListener("taskerror", (e) => {
    assert.ok(e instanceof TaskErrorEvent);
    lines.push(`taskerror ${e.error.taskName}/${e.error.stage}`);
  });
  return lines;
}

test("manager states go idle -> initializing -> running -> stopping -> stopped", async () => {
  const manager = new TaskManager();
  const lines = record(manager);
  assert.equal(manager.state, "idle");
  manager.addTask("server", untilAborted);
  const stop = new AbortController();
  const done = manager.run(stop.signal);
  assert.equal(manager.state, "initializing");
  await settle();
  assert.equal(manager.state, "running");
  stop.abort();
  assert.equal(manager.state, "stopping");
  await done;
  assert.equal(manager.state, "stopped");
  assert.deepEqual(lines.filter((l) => l.startsWith("state")), [
    "state idle->initializing",
    "state initializing->running",
    "state running->stopping",
    "state stopping->stopped",
  ]);
});

test("a stop during initialization skips running", async () => {
  const manager = new TaskManager();
  const lines = record(manager);
  const init = latch();
  manager.addTask("db", {
    initialize: () => init.promise,
    execute: untilAborted,
  });
  const done = manager.run();
  await settle();
  manager.stop();
  init.resolve();
  await done;
  assert.deepEqual(lines.filter((l) => l.startsWith("state")), [
    "state idle->initializing",
    "state initializing->stopping",
    "state stopping->stopped",
  ]);
});

test("per attempt: taskstart, taskstop, then taskrestart with the attempt that ended; taskerror before run resolves", async () => {
  const manager = new TaskManager();
  const lines = record(manager);
  let attempts = 0;
  manager.addTask("flaky", () => {
    attempts++;
    throw new Error(`fail ${attempts}`);
  }, {
    restart: "transient",
    backoff: { initial: 0 },
    intensity: { maxRestarts: 2 },
  });
  const errors = await manager.run();
  assert.equal(errors.length, 1);
  assert.deepEqual(lines, [
    "state idle->initializing",
    "state initializing->running",
    "taskstart flaky#1",
    "taskstop flaky#1 error=fail 1",
    "taskrestart flaky#1 error=fail 1 delay=0",
    "taskstart flaky#2",
    "taskstop flaky#2 error=fail 2",
    "taskrestart flaky#2 error=fail 2 delay=0",
    "taskstart flaky#3",
    "taskstop flaky#3 error=fail 3",
    "taskerror flaky/execute",
    "state running->stopping",
    "state stopping->stopped",
  ]);
});

test("taskstop has no error for a clean end; events come in the order things happen across tasks", async () => {
  const manager = new TaskManager();
  const lines = record(manager);
  manager.addTask("a", untilAborted);
  manager.addTask("b", () => {}, "stop-group");
  await manager.run();
  assert.deepEqual(lines, [
    "state idle->initializing",
    "state initializing->running",
    "taskstart a#1",
    "taskstart b#1",
    "taskstop b#1",
    "state running->stopping",
    "taskstop a#1",
    "state stopping->stopped",
  ]);
});

test("taskerror is dispatched for every TaskError, with the same object run resolves with", async () => {
  const manager = new TaskManager();
  const seen: TaskError[] = [];
  manager.addEventListener("taskerror", (e) => seen.push(e.error));
  manager.addTask("a", {
    execute: () => {
      throw new Error("a");
    },
    cleanup: () => {
      throw new Error("a cleanup");
    },
  });
  const errors = await manager.run();
  assert.equal(errors.length, 2);
  assert.deepEqual(seen, errors);
  assert.ok(seen.every((e, i) => e === errors[i]));
});

test("a listener that throws or rejects changes nothing; it is written with console.error", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const manager = new TaskManager();
    manager.addEventListener("taskstart", () => {
      throw new Error("listener bug");
    });
    manager.addEventListener("statechange", async () => {
      await Promise.resolve();
      throw new Error("async listener bug");
    });
    manager.addEventListener("taskstop", {
      handleEvent() {
        throw new Error("object listener bug");
      },
    });
    const calls: string[] = [];
    manager.addTask("t", {
      initialize: () => void calls.push("initialize"),
      execute: () => void calls.push("execute"),
      cleanup: () => void calls.push("cleanup"),
    }, "stop-group");
    assert.deepEqual(await manager.run(), []);
    await settle();
    assert.deepEqual(calls, ["initialize", "execute", "cleanup"]);
    const messages = logged.map((args) => (args[1] as Error).message);
    assert.ok(messages.includes("listener bug"));
    assert.ok(messages.includes("async listener bug"));
    assert.ok(messages.includes("object listener bug"));
    assert.match(String(logged[0][0]), /^goasync: a "\w+" listener threw:$/);
  } finally {
    console.error = original;
  }
});

test("removeEventListener removes a listener; once listeners fire once", async () => {
  const manager = new TaskManager();
  let removed = 0, once = 0;
  const listener = () => removed++;
  manager.addEventListener("statechange", listener);
  manager.removeEventListener("statechange", listener);
  manager.addEventListener("statechange", () => once++, { once: true });
  manager.addTask("t", () => {}, "stop-group");
  await manager.run();
  assert.equal(removed, 0);
  assert.equal(once, 1);
});

test("snapshot states at each step of a task's life, with since and restarts", async () => {
  const manager = new TaskManager();
  const init = latch();
  const failOnce = latch();
  const cleanup = latch();
  let attempts = 0;
  manager.addTask("db", {
    initialize: () => attempts === 0 ? init.promise : undefined,
    async execute(signal) {
      if (++attempts === 1) {
        await failOnce.promise;
        throw new Error("lost");
      }
      await untilAborted(signal);
    },
    cleanup: () => attempts > 1 ? cleanup.promise : undefined,
  }, { restart: "transient", backoff: { initial: 0 } });
  manager.addExecuteTask("late", untilAborted);
  const states = (): TaskState[] =>
    manager.snapshot().tasks.map((t) => t.state);
  assert.deepEqual(states(), ["pending", "pending"]);
  const before = Date.now();
  const done = manager.run();
  assert.deepEqual(states(), ["initializing", "pending"]);
  init.resolve();
  await settle();
  assert.deepEqual(states(), ["running", "running"]);
  failOnce.resolve();
  await settle();
  const snap = manager.snapshot();
  assert.equal(snap.tasks[0].state, "running");
  assert.equal(snap.tasks[0].restarts, 1);
  assert.deepEqual(snap.tasks[0].lastError, { name: "Error", message: "lost" });
  assert.ok(snap.tasks[0].since >= before && snap.tasks[0].since <= Date.now());
  manager.stop();
  await settle();
  assert.equal(manager.snapshot().state, "stopping");
  assert.deepEqual(states(), ["cleaning", "stopped"]);
  cleanup.resolve();
  await done;
  assert.deepEqual(states(), ["stopped", "stopped"]);
});

test("restarting lasts from the failure to the next execute; failed is the end of a task with a TaskError", async () => {
  const manager = new TaskManager();
  const init = latch();
  let attempt = 0;
  manager.addTask("t", {
    initialize: () => attempt > 0 ? init.promise : undefined,
    execute() {
      if (++attempt === 1) throw new Error("down");
      throw new Error("down again");
    },
  }, {
    restart: "transient",
    backoff: { initial: 0 },
    intensity: { maxRestarts: 1 },
  });
  const done = manager.run();
  await settle();
  assert.equal(manager.snapshot().tasks[0].state, "restarting");
  init.resolve();
  await done;
  const [task] = manager.snapshot().tasks;
  assert.equal(task.state, "failed");
  assert.equal(task.restarts, 1);
  assert.equal(
    (task.lastError as { name: string }).name,
    "RestartIntensityError",
  );
});

test("snapshot lists dynamic tasks only while they run, after the others", async () => {
  const manager = new TaskManager();
  manager.addTask("static", untilAborted);
  const done = manager.run();
  await settle();
  const finish = latch();
  manager.addExecuteTask("request", () => finish.promise, "error");
  assert.deepEqual(manager.snapshot().tasks.map((t) => t.name), [
    "static",
    "request",
  ]);
  finish.resolve();
  await settle();
  assert.deepEqual(manager.snapshot().tasks.map((t) => t.name), ["static"]);
  manager.stop();
  await done;
});

test("snapshot is plain data that JSON.stringify prints, errors as name and message", async () => {
  const manager = new TaskManager();
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  manager.addTask("obj", async (signal) => {
    await untilAborted(signal);
    throw circular;
  });
  manager.addTask("str", async (signal) => {
    await untilAborted(signal);
    throw "text";
  });
  manager.addTask("err", () => {
    throw new TypeError("bad");
  });
  await manager.run();
  const json = JSON.parse(JSON.stringify(manager.snapshot()));
  assert.equal(json.state, "stopped");
  assert.equal(typeof json.tasks[0].lastError, "string");
  assert.equal(json.tasks[1].lastError, "text");
  assert.deepEqual(json.tasks[2].lastError, {
    name: "TypeError",
    message: "bad",
  });
  for (const task of json.tasks) {
    assert.deepEqual(Object.keys(task).slice(0, 5), [
      "name",
      "type",
      "state",
      "since",
      "restarts",
    ]);
  }
});

test("typed listeners: event fields type-check without a cast", () => {
  const manager = new TaskManager();
  const delays: (number | undefined)[] = [];
  manager.addEventListener("taskrestart", (e) => delays.push(e.delay));
  manager.addEventListener("statechange", (e) => {
    const to: ManagerState = e.to;
    return to;
  });
  manager.addEventListener("taskerror", (e) => e.error.taskName);
  assert.deepEqual(delays, []);
});

test("stop() before run makes run behave as with an already-aborted signal", async () => {
  const manager = new TaskManager({ drainDelay: 60_000 });
  const calls: string[] = [];
  manager.addTask("t", {
    initialize: () => void calls.push("initialize"),
    execute: () => void calls.push("execute"),
    cleanup: () => void calls.push("cleanup"),
  });
  manager.stop(new Error("not today"));
  assert.deepEqual(await manager.run(), []);
  assert.deepEqual(calls, []);
});

test("stop(reason) aborts the task signals with that reason; a second stop changes nothing", async () => {
  const manager = new TaskManager();
  let seen: unknown;
  manager.addTask("t", async (signal) => {
    await untilAborted(signal);
    seen = signal.reason;
  });
  const done = manager.run();
  await settle();
  const reason = new Error("maintenance");
  manager.stop(reason);
  manager.stop(new Error("other"));
  assert.deepEqual(await done, []);
  assert.equal(seen, reason);
  manager.stop(); // after the stop: nothing
});

test("asyncDispose stops without draining and resolves when run has ended; same promise twice; idle is a no-op", async () => {
  const idle = new TaskManager();
  await idle[Symbol.asyncDispose]();
  assert.equal(idle.state, "idle");

  const manager = new TaskManager({ drainDelay: 60_000 });
  const cleaned = latch();
  manager.addTask("t", {
    execute: untilAborted,
    cleanup: () => cleaned.resolve(),
  });
  const done = manager.run();
  await settle();
  const first = manager[Symbol.asyncDispose]();
  const second = manager[Symbol.asyncDispose]();
  assert.equal(first, second);
  assert.equal(manager.state, "stopping", "no drain");
  await first;
  assert.equal(manager.state, "stopped");
  await cleaned.promise;
  assert.deepEqual(await done, []);
});

test("await using stops the manager at the end of the block", async () => {
  let signal: AbortSignal | undefined;
  let done: Promise<unknown> | undefined;
  {
    await using manager = new TaskManager();
    manager.addTask("t", (s) => {
      signal = s;
      return untilAborted(s);
    });
    done = manager.run();
    await settle();
  }
  assert.equal(signal?.aborted, true);
  assert.deepEqual(await done, []);
});

test("with no listener, no event object is created", async () => {
  const created: string[] = [];
  const original = globalThis.Event;
  // Counting constructions of every Event subclass through the base class.
  const manager = new TaskManager();
  manager.addTask("t", () => {}, "stop-group");
  class Counting extends original {
    constructor(type: string, init?: EventInit) {
      super(type, init);
      created.push(type);
    }
  }
  Object.setPrototypeOf(ManagerStateEvent, Counting);
  Object.setPrototypeOf(TaskEvent, Counting);
  Object.setPrototypeOf(TaskErrorEvent, Counting);
  try {
    await manager.run();
    assert.deepEqual(created, []);
    // The check can fail: with a listener, the same run creates events.
    const watched = new TaskManager();
    watched.addTask("t", () => {}, "stop-group");
    watched.addEventListener("statechange", () => {});
    await watched.run();
  } finally {
    Object.setPrototypeOf(ManagerStateEvent, original);
    Object.setPrototypeOf(TaskEvent, original);
    Object.setPrototypeOf(TaskErrorEvent, original);
  }
  assert.deepEqual(created, Array(4).fill("statechange"));
});

test("a failure with undefined is still a last error in the snapshot", async () => {
  const manager = new TaskManager();
  manager.addTask("t", () => {
    throw undefined;
  });
  await manager.run();
  const [task] = manager.snapshot().tasks;
  assert.ok("lastError" in task);
  assert.equal(task.lastError, undefined);
  assert.equal(task.state, "failed");
});

test("since is Date.now() of the turn in which the state changed", async () => {
  await onVirtualTime(async () => {
    mock.timers.tick(1_000); // Date.now() is 1000 when the tasks start
    const manager = new TaskManager();
    manager.addTask("a", untilAborted);
    manager.addTask("b", untilAborted);
    const done = manager.run();
    await settle();
    const running = manager.snapshot();
    assert.deepEqual(running.tasks.map((t) => [t.state, t.since]), [
      ["running", 1_000],
      ["running", 1_000],
    ]);
    setTimeout(() => manager.stop(), 250);
    await advance(250);
    const stopped = manager.snapshot();
    assert.equal(stopped.state, "stopped");
    assert.deepEqual(stopped.tasks.map((t) => [t.state, t.since]), [
      ["stopped", 1_250],
      ["stopped", 1_250],
    ]);
    await done;
  });
});
