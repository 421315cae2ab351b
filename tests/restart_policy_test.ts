/**
 * Restart policies (DESIGN.md "Restart policies", rules 1–6), on virtual
 * time: `setTimeout` and `Date` are mocked, so every delay is exact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  RestartIntensityError,
  type Task,
  TaskError,
  TaskManager,
  type TaskOptions,
  UnexpectedStopError,
} from "../mod.ts";
import {
  advance,
  latch,
  onVirtualTime,
  settle,
  untilAborted,
} from "./helpers/tasks.ts";
import { spyOnTimers } from "./helpers/timer_spy.ts";

const noJitter = (backoff: TaskOptions["backoff"] = {}): TaskOptions => ({
  restart: "transient",
  backoff: { initial: 50, factor: 2, jitter: 0, ...backoff },
});

test("rule 3: with jitter 0, restarts come at 50, 150 and 350 ms after the first failure", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const starts: number[] = [];
    manager.addTask("flaky", async (signal) => {
      starts.push(Date.now());
      await Promise.resolve();
      if (starts.length < 4) throw new Error(`attempt ${starts.length}`);
      await untilAborted(signal);
    }, noJitter({ max: 10_000 }));
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    for (let i = 0; i < 4; i++) await advance(i === 0 ? 0 : 50 * 2 ** (i - 1));
    assert.deepEqual(starts, [0, 50, 150, 350]);
    stop.abort();
    assert.deepEqual(await done, []);
  });
});

test("rule 3: the delay is capped at max, and jitter draws from [d(1 - jitter), d]", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const delays: number[] = [];
    manager.addEventListener("taskrestart", (event) => {
      delays.push(event.delay!);
    });
    let attempts = 0;
    manager.addTask("flaky", (signal) => {
      if (++attempts <= 6) throw new Error("down");
      return untilAborted(signal);
    }, {
      restart: "transient",
      backoff: { initial: 100, max: 400, factor: 2, jitter: 0.5 },
      intensity: { maxRestarts: 100 },
    });
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    for (let i = 0; i < 6; i++) await advance(400);
    assert.equal(delays.length, 6);
    const full = [100, 200, 400, 400, 400, 400];
    delays.forEach((delay, i) => {
      assert.ok(
        delay >= full[i] * 0.5 && delay <= full[i],
        `delay ${i + 1} is ${delay}, outside [${full[i] / 2}, ${full[i]}]`,
      );
    });
    stop.abort();
    await advance(0);
    assert.deepEqual(await done, []);
  });
});

test("rule 3: the count goes back to 1 after an attempt that ran resetAfter ms", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const delays: number[] = [];
    manager.addEventListener("taskrestart", (event) => {
      delays.push(event.delay!);
    });
    const runFor = [0, 0, 1000, 0];
    let attempt = 0;
    manager.addTask("flaky", async (signal) => {
      const ms = runFor[attempt++];
      if (ms === undefined) return untilAborted(signal);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      throw new Error("down");
    }, noJitter({ resetAfter: 1000 }));
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    await advance(0); // attempt 1 fails at once: 50
    await advance(50); // attempt 2 fails at once: 100
    await advance(100); // attempt 3 runs 1000 ms, then fails: back to 50
    await advance(1000);
    await advance(50); // attempt 4 fails at once: 100
    assert.deepEqual(delays, [50, 100, 50, 100]);
    stop.abort();
    await advance(0);
    assert.deepEqual(await done, []);
  });
});

test("rule 1: temporary is never restarted; transient after a throw; permanent after a return too", async () => {
  const cases: [TaskOptions, "return" | "throw", number][] = [
    [{ restart: "temporary" }, "throw", 1],
    [{ restart: "transient", type: "error" }, "return", 1],
    [{ restart: "transient", type: "error" }, "throw", 3],
    [{ restart: "permanent", type: "error" }, "return", 3],
    [{ restart: "permanent" }, "throw", 3],
  ];
  for (const [options, how, calls] of cases) {
    const manager = new TaskManager();
    let attempts = 0;
    const opts: TaskOptions = options.restart === "temporary"
      ? options
      : { ...options, backoff: { initial: 0 } };
    manager.addTask("t", () => {
      if (++attempts === 3) return manager.stop();
      if (how === "throw") throw new Error("down");
    }, opts);
    const done = manager.run();
    await settle();
    manager.stop(); // an error task that returned leaves the manager running
    const errors = await done;
    assert.equal(attempts, calls, `${JSON.stringify(options)} after a ${how}`);
    if (calls === 1 && how === "throw") assert.equal(errors.length, 1);
    else assert.deepEqual(errors, []);
  }
});

test("rule 1: a transient strict task that returns early is an unexpected stop, not restarted", async () => {
  const manager = new TaskManager();
  let calls = 0;
  manager.addTask("t", () => {
    calls++;
  }, { restart: "transient", backoff: { initial: 0 } });
  const [error, ...rest] = await manager.run();
  assert.equal(calls, 1);
  assert.deepEqual(rest, []);
  assert.ok(error.cause instanceof UnexpectedStopError);
});

test("rule 1: a settle after the stop is never restarted", async () => {
  const manager = new TaskManager();
  let calls = 0;
  manager.addTask("t", async (signal) => {
    calls++;
    await untilAborted(signal);
    throw new Error("failed while stopping");
  }, { restart: "permanent", backoff: { initial: 0 } });
  const stop = new AbortController();
  const done = manager.run(stop.signal);
  await settle();
  stop.abort();
  const errors = await done;
  assert.equal(calls, 1);
  assert.equal(errors.length, 1);
  assert.equal((errors[0].cause as Error).message, "failed while stopping");
});

test("rule 2: a restart calls cleanup, waits, then initialize and execute with the same signal", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const calls: string[] = [];
    const signals = new Set<AbortSignal>();
    let attempts = 0;
    manager.addTask("db", {
      initialize(signal) {
        signals.add(signal);
        calls.push(`initialize@${Date.now()}`);
      },
      execute(signal) {
        signals.add(signal);
        calls.push(`execute@${Date.now()}`);
        if (++attempts === 1) throw new Error("lost connection");
        return untilAborted(signal);
      },
      cleanup() {
        calls.push(`cleanup@${Date.now()}`);
      },
    }, noJitter());
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    await advance(50);
    stop.abort();
    assert.deepEqual(await done, []);
    assert.deepEqual(calls, [
      "initialize@0",
      "execute@0",
      "cleanup@0",
      "initialize@50",
      "execute@50",
      "cleanup@50",
    ]);
    assert.equal(signals.size, 1, "initialize and execute share one signal");
  });
});

test("rule 2: a failing restart cleanup or initialize ends the attempt like a failed execute", async () => {
  for (const stage of ["cleanup", "initialize"] as const) {
    await onVirtualTime(async () => {
      const manager = new TaskManager();
      const calls: string[] = [];
      let failed = false;
      const task: Task = {
        initialize() {
          calls.push("initialize");
          const second = calls.filter((c) => c === "initialize").length === 2;
          if (stage === "initialize" && second && !failed) {
            failed = true;
            throw new Error("initialize failed");
          }
        },
        execute(signal) {
          calls.push("execute");
          if (calls.filter((c) => c === "execute").length === 1) {
            throw new Error("execute failed");
          }
          return untilAborted(signal);
        },
        cleanup() {
          calls.push("cleanup");
          if (stage === "cleanup" && !failed) {
            failed = true;
            throw new Error("cleanup failed");
          }
        },
      };
      const restarts: unknown[] = [];
      manager.addEventListener("taskrestart", (event) => {
        restarts.push((event.error as Error).message);
      });
      manager.addTask("t", task, noJitter());
      const stop = new AbortController();
      const done = manager.run(stop.signal);
      await advance(50);
      await advance(100);
      stop.abort();
      assert.deepEqual(await done, [], stage);
      assert.deepEqual(restarts, ["execute failed", `${stage} failed`], stage);
      // initialize and cleanup alternate, starting with initialize.
      const lifecycle = calls.filter((c) => c !== "execute");
      lifecycle.forEach((call, i) =>
        assert.equal(call, i % 2 === 0 ? "initialize" : "cleanup", stage)
      );
      assert.equal(lifecycle.length % 2, 0, `${stage}: ${calls.join(" ")}`);
      assert.equal(manager.snapshot().tasks[0].restarts, 2);
    });
  }
});

test("rule 3: a stop during the backoff wait clears its timer at once: no attempt, no error", async () => {
  const timers = spyOnTimers(); // real timers: a leaked one would stay pending
  try {
    const manager = new TaskManager();
    let calls = 0;
    manager.addTask("t", () => {
      calls++;
      throw new Error("down");
    }, noJitter({ initial: 60_000, max: 60_000 }));
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    await settle();
    assert.equal(manager.snapshot().tasks[0].state, "restarting");
    assert.equal(timers.pending(), 1, "the backoff timer runs");
    stop.abort();
    assert.deepEqual(await done, []);
    assert.equal(timers.pending(), 0, "the backoff timer was cleared");
    assert.equal(calls, 1);
  } finally {
    timers.restore();
  }
});

test("rule 4: restarts are not TaskErrors; past maxRestarts within the window, a RestartIntensityError stops the manager", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const last = new Error("down for good");
    let calls = 0;
    manager.addTask("t", () => {
      calls++;
      throw calls === 4 ? last : new Error("down");
    }, { ...noJitter(), intensity: { maxRestarts: 3, within: 1000 } });
    let other: AbortSignal | undefined;
    manager.addTask("other", (signal) => {
      other = signal;
      return untilAborted(signal);
    });
    const done = manager.run();
    await advance(50);
    await advance(100);
    assert.equal(other!.aborted, false, "restarts do not stop the manager");
    await advance(200);
    const errors = await done;
    assert.equal(calls, 4);
    assert.equal(errors.length, 1);
    const [error] = errors;
    assert.ok(error instanceof TaskError);
    assert.equal(error.stage, "execute");
    assert.ok(error.cause instanceof RestartIntensityError);
    assert.equal(error.cause.restarts, 3);
    assert.equal(error.cause.within, 1000);
    assert.equal(error.cause.cause, last);
    assert.equal(other!.aborted, true);
  });
});

test("rule 4: restarts outside the window do not count", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    let calls = 0;
    manager.addTask("t", () => {
      calls++;
      throw new Error("down");
    }, {
      restart: "transient",
      backoff: { initial: 600, max: 600, jitter: 0 },
      intensity: { maxRestarts: 1, within: 500 },
    });
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    for (let i = 0; i < 5; i++) await advance(600);
    assert.equal(
      calls,
      6,
      "one restart per 600 ms never makes 2 within 500 ms",
    );
    stop.abort();
    assert.deepEqual(await done, []);
  });
});

test("rule 4: a permanent task that keeps returning escalates with an UnexpectedStopError as the last cause", async () => {
  const manager = new TaskManager();
  manager.addTask("t", () => {}, {
    restart: "permanent",
    backoff: { initial: 0 },
    intensity: { maxRestarts: 2 },
  });
  const [error] = await manager.run();
  assert.ok(error.cause instanceof RestartIntensityError);
  assert.ok(error.cause.cause instanceof UnexpectedStopError);
  assert.equal(error.cause.restarts, 2);
});

test("rule 4: maxRestarts 0 escalates at the first failure", async () => {
  const manager = new TaskManager();
  const down = new Error("down");
  manager.addTask("t", () => {
    throw down;
  }, { restart: "transient", intensity: { maxRestarts: 0 } });
  const [error] = await manager.run();
  assert.ok(error.cause instanceof RestartIntensityError);
  assert.equal(error.cause.restarts, 0);
  assert.equal(error.cause.cause, down);
});

test("rule 5: bad options throw a TypeError at addTask and change nothing", async () => {
  const bad: [unknown, RegExp][] = [
    [{ restart: "sometimes" }, /unknown restart policy "sometimes"/],
    [{ type: "bogus" }, /unknown task type "bogus"/],
    [{ restart: "transient", backoff: { initial: -1 } }, /backoff.initial/],
    [{ restart: "transient", backoff: { max: NaN } }, /backoff.max/],
    [{ restart: "transient", backoff: { factor: 0.5 } }, /backoff.factor/],
    [{ restart: "transient", backoff: { jitter: 1.5 } }, /backoff.jitter/],
    [{ restart: "transient", backoff: { jitter: -0.1 } }, /backoff.jitter/],
    [{ restart: "transient", backoff: { initial: 200, max: 100 } }, /exceed/],
    [{ restart: "transient", backoff: { resetAfter: -5 } }, /resetAfter/],
    [{ restart: "transient", backoff: { initial: "5" } }, /backoff.initial/],
    [{ restart: "transient", backoff: 5 }, /backoff must be an object/],
    [{ restart: "transient", intensity: { maxRestarts: -1 } }, /maxRestarts/],
    [{ restart: "transient", intensity: { within: NaN } }, /within/],
    [{ backoff: { initial: 5 } }, /need restart "transient" or "permanent"/],
    [{ restart: "temporary", intensity: {} }, /need restart/],
    [{ restart: "permanent", type: "stop-group" }, /stop-group task cannot/],
  ];
  const manager = new TaskManager();
  for (const [options, message] of bad) {
    assert.throws(
      () => manager.addTask("t", () => {}, options as TaskOptions),
      (error: unknown) =>
        error instanceof TypeError && message.test(error.message),
      JSON.stringify(options),
    );
  }
  assert.throws(
    () =>
      manager.addExecuteTask("t", () => {}, {
        type: "stop-group",
      } as unknown as TaskOptions as never),
    TypeError,
  );
  // An initial left out defaults to min(100, max): valid with a small max.
  manager.addTask("ok", () => {}, {
    restart: "transient",
    backoff: { max: 10 },
  });
  assert.equal(
    manager.snapshot().tasks.length,
    1,
    "only the valid task was added",
  );
  manager.stop();
  assert.deepEqual(await manager.run(), []);
});

test("rule 6: a failure of the first initialize is never restarted", async () => {
  const manager = new TaskManager();
  let initializes = 0;
  manager.addTask("db", {
    initialize() {
      initializes++;
      throw new Error("no database");
    },
    execute: () => {},
  }, { restart: "permanent", backoff: { initial: 0 } });
  const errors = await manager.run();
  assert.equal(initializes, 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].stage, "initialize");
});

test("rule 6: while draining, tasks still restart; the abort ends that", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager({ drainDelay: 1000 });
    let calls = 0;
    manager.addTask("t", () => {
      calls++;
      throw new Error("down");
    }, {
      ...noJitter({ initial: 100, factor: 1 }),
      intensity: { maxRestarts: 100 },
    });
    const done = manager.run();
    await advance(0);
    manager.stop();
    assert.equal(manager.state, "draining");
    for (let i = 0; i < 5; i++) await advance(100);
    assert.ok(calls >= 5, `restarted while draining (${calls} calls)`);
    await advance(1000);
    assert.deepEqual(await done, []);
    const after = calls;
    await advance(1000);
    assert.equal(calls, after);
  });
});

test("dynamic tasks restart too, and are listed while restarting", async () => {
  await onVirtualTime(async () => {
    const manager = new TaskManager();
    const stop = new AbortController();
    const done = manager.run(stop.signal);
    await advance(0);
    let calls = 0;
    manager.addExecuteTask("poller", (signal) => {
      if (++calls < 3) throw new Error("down");
      return untilAborted(signal);
    }, { restart: "transient", backoff: { initial: 10, jitter: 0 } });
    assert.equal(manager.snapshot().tasks[0].state, "restarting");
    await advance(10);
    await advance(20);
    assert.equal(calls, 3);
    assert.equal(manager.snapshot().tasks[0].restarts, 2);
    stop.abort();
    assert.deepEqual(await done, []);
    assert.deepEqual(manager.snapshot().tasks, []);
  });
});

test("a zero-delay restart loop still lets timers run", async () => {
  const manager = new TaskManager();
  const timerRan = latch();
  let calls = 0;
  manager.addTask("spin", () => {
    calls++;
    throw new Error("down");
  }, {
    restart: "transient",
    backoff: { initial: 0 },
    intensity: { maxRestarts: Infinity },
  });
  const done = manager.run();
  setTimeout(() => {
    timerRan.resolve();
    manager.stop();
  }, 20);
  await timerRan.promise;
  assert.deepEqual(await done, []);
  assert.ok(calls > 1, `${calls} attempts`);
});

test("a long run of restarts keeps a finite delay: the growth saturates at max, and 0 stays 0", async () => {
  await onVirtualTime(async () => {
    for (const initial of [0, 1]) {
      const manager = new TaskManager();
      const delays: number[] = [];
      manager.addEventListener(
        "taskrestart",
        (e) => void delays.push(e.delay!),
      );
      let calls = 0;
      manager.addTask("t", (signal) => {
        if (++calls <= 1_200) throw new Error("down");
        return untilAborted(signal);
      }, {
        restart: "transient",
        backoff: { initial, max: 5, jitter: 0 },
        intensity: { maxRestarts: Infinity },
      });
      const done = manager.run();
      while (calls <= 1_200) await advance(5);
      manager.stop();
      assert.deepEqual(await done, []);
      assert.ok(delays.every(Number.isFinite), `initial ${initial}`);
      assert.equal(delays.at(-1), initial === 0 ? 0 : 5);
    }
  });
});

test("zero-delay restarts leave no timer behind once the task has ended", async () => {
  const timers = spyOnTimers();
  try {
    const manager = new TaskManager();
    let calls = 0;
    manager.addTask("t", () => {
      if (++calls < 20) throw new Error("down");
    }, {
      type: "stop-group",
      restart: "transient",
      backoff: { initial: 0 },
      intensity: { maxRestarts: 100 },
    });
    assert.deepEqual(await manager.run(), []);
    assert.equal(calls, 20);
    assert.ok(timers.created() > 0, "the restarts yielded to the event loop");
    assert.equal(timers.pending(), 0);
  } finally {
    timers.restore();
  }
});
