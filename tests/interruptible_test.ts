import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { TaskManager } from "../mod.ts";
import { interruptible } from "../src/tasks/mod.ts";
import { CallLog, FakeTask } from "../src/testing/mod.ts";
import {
  addSignalListener,
  type OsSignal,
  removeSignalListener,
} from "../src/signals/mod.ts";
import { handlerCount } from "../src/signals/listeners.ts";
import { isSettled, latch, settle } from "./helpers/tasks.ts";
import { guarded, spawnFixture } from "./helpers/child.ts";

// Signals sent to this very process: SIGHUP and SIGQUIT. Not SIGUSR2 (Node.js
// 24 starts test files with report-on-signal for it, which writes a report
// file), SIGUSR1 (Node's inspector), SIGINT or SIGTERM (test runners' own).

/**
 * Sends `name` to this very process and resolves once it has been
 * dispatched. A guard handler of our own listens meanwhile: an unhandled
 * SIGHUP would end the test process. Handlers run in one dispatch, so once
 * the guard has run, every other handler has too. `guarded` keeps the event
 * loop alive meanwhile: a signal listener alone does not.
 */
async function sendSignal(name: OsSignal): Promise<void> {
  const received = latch();
  const delivered = () => received.resolve();
  addSignalListener(name, delivered);
  try {
    process.kill(process.pid, name);
    await guarded(received.promise, 30_000, `delivery of ${name}`);
  } finally {
    removeSignalListener(name, delivered);
  }
}

test("interruptible refuses bad signals or a bad task with a TypeError", () => {
  const task = () => {};
  const cases: [unknown, unknown, RegExp][] = [
    [
      [],
      task,
      /signals must be a non-empty array of signal names, got an array/,
    ],
    ["SIGHUP", task, /signals must be a non-empty array .* got "SIGHUP"/],
    [undefined, task, /signals must be a non-empty array .* got undefined/],
    [
      ["SIGHUP", "SIGFOO"],
      task,
      /unknown signal "SIGFOO"; expected one of SIGINT/,
    ],
    [["hup"], task, /unknown signal "hup"/],
    [[1], task, /unknown signal 1/],
    [["SIGHUP"], null, /interruptible: task must be a function or an object/],
    [["SIGHUP"], { initialize() {} }, /task.execute must be a function/],
  ];
  for (const [signals, t, message] of cases) {
    // deno-lint-ignore no-explicit-any
    assert.throws(() => interruptible(signals as any, t as any), (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, message);
      return true;
    });
  }
});

test("interruptible refuses a signal this platform lacks at once, before listening", () => {
  const missing = process.platform === "win32" ? "SIGQUIT" : "SIGBREAK";
  assert.throws(() => interruptible(["SIGHUP", missing], () => {}), (error) => {
    assert.ok(error instanceof Error);
    assert.match(
      error.message,
      new RegExp(`^interruptible: ${missing} does not exist on`),
    );
    return true;
  });
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible passes initialize and cleanup through, bound to the task", async () => {
  const task = new FakeTask("config");
  const wrapped = interruptible(["SIGHUP"], task);
  const signal = new AbortController().signal;
  await wrapped.initialize?.(signal);
  await wrapped.cleanup?.(signal);
  assert.deepEqual(task.log.sequence(), [
    "config.initialize",
    "config.cleanup",
  ]);
  assert.equal(handlerCount("SIGHUP"), 0, "only execute listens");
});

test("interruptible restarts the task on SIGHUP: abort, cleanup, initialize, execute", async () => {
  const task = new FakeTask("server");
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  const first = await task.called("execute");
  assert.equal(handlerCount("SIGHUP"), 1);
  assert.notEqual(
    first.signal,
    controller.signal,
    "each run has its own signal",
  );
  assert.equal(first.signal?.aborted, false);

  await sendSignal("SIGHUP");
  assert.equal(first.signal?.aborted, true);
  assert.equal((first.signal?.reason as Error).name, "AbortError");
  const second = await task.called("execute", 1);
  assert.equal(second.signal?.aborted, false);
  assert.deepEqual(task.log.sequence(), [
    "server.execute",
    "server.cleanup",
    "server.initialize",
    "server.execute",
  ]);
  // The restart's stages get the outer execute signal.
  assert.equal(task.callsOf("cleanup")[0].signal, controller.signal);
  assert.equal(task.callsOf("initialize")[0].signal, controller.signal);

  controller.abort();
  await done;
  assert.equal(second.signal?.aborted, true);
  assert.equal(second.signal?.reason, controller.signal.reason);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible listens for every signal given, and removes them all", async () => {
  const task = new FakeTask("worker");
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP", "SIGQUIT"], task).execute(controller.signal),
  );
  await task.called("execute");
  assert.equal(handlerCount("SIGHUP"), 1);
  assert.equal(handlerCount("SIGQUIT"), 1);
  await sendSignal("SIGQUIT");
  await task.called("execute", 1);
  await sendSignal("SIGHUP");
  await task.called("execute", 2);
  controller.abort();
  await done;
  assert.equal(handlerCount("SIGHUP"), 0);
  assert.equal(handlerCount("SIGQUIT"), 0);
  assert.equal(task.callsOf("initialize").length, 2);
});

test("interruptible treats a rejection with the interrupt's reason as a clean stop", async () => {
  const task = new FakeTask("fetcher");
  task.when("execute").calls((signal) =>
    new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), {
        once: true,
      })
    )
  );
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  await task.called("execute");
  await sendSignal("SIGHUP");
  await task.called("execute", 1);
  controller.abort();
  // The stop's reason is passed through for the manager to recognise.
  await assert.rejects(done, (error) => error === controller.signal.reason);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible fails when the task fails, and stops listening", async () => {
  const task = new FakeTask("server");
  const boom = new Error("port in use");
  task.when("execute").onCall(1).rejects(boom);
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(new AbortController().signal),
  );
  await task.called("execute");
  await sendSignal("SIGHUP");
  await assert.rejects(done, (error) => error === boom);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible fails when a restart fails, naming the stage, with the cause", async () => {
  for (const stage of ["cleanup", "initialize"] as const) {
    const task = new FakeTask(`server-${stage}`);
    const cause = new Error(`bad ${stage}`);
    task.when(stage).rejects(cause);
    const done = Promise.resolve(
      interruptible(["SIGHUP"], task).execute(new AbortController().signal),
    );
    await task.called("execute");
    await sendSignal("SIGHUP");
    await assert.rejects(done, (error: Error) => {
      assert.match(error.message, new RegExp(`failed in ${stage}$`));
      assert.equal(error.cause, cause);
      return true;
    });
    assert.equal(handlerCount("SIGHUP"), 0);
    assert.equal(task.callsOf("execute").length, 1);
  }
});

test("interruptible resolves when the task returns by itself", async () => {
  const task = new FakeTask("one-shot");
  task.when("execute").resolves();
  await interruptible(["SIGHUP"], task).execute(new AbortController().signal);
  assert.equal(task.callsOf("execute").length, 1);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible restarts once more for a signal that arrives during a restart's initialize", async () => {
  const task = new FakeTask("config");
  const reading = task.when("initialize").onCall(0).waits();
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  await task.called("execute");
  await sendSignal("SIGHUP");
  await task.called("initialize");
  await sendSignal("SIGHUP"); // the file changed again while it was read
  reading.resolve();
  await task.called("execute", 1);
  assert.deepEqual(task.log.sequence(), [
    "config.execute",
    "config.cleanup",
    "config.initialize",
    "config.cleanup",
    "config.initialize",
    "config.execute",
  ]);
  controller.abort();
  await done;
});

test("interruptible counts a signal during a restart's cleanup as served by its initialize", async () => {
  const task = new FakeTask("config");
  const releasing = task.when("cleanup").onCall(0).waits();
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  await task.called("execute");
  await sendSignal("SIGHUP");
  await task.called("cleanup");
  await sendSignal("SIGHUP");
  releasing.resolve();
  await task.called("execute", 1);
  await settle();
  assert.deepEqual(task.log.sequence(), [
    "config.execute",
    "config.cleanup",
    "config.initialize",
    "config.execute",
  ]);
  controller.abort();
  await done;
});

test("interruptible: a stop during a restart finishes the restart, then ends", async () => {
  const task = new FakeTask("config");
  const reading = task.when("initialize").onCall(0).waits();
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  await task.called("execute");
  await sendSignal("SIGHUP");
  await task.called("initialize");
  controller.abort();
  assert.equal(handlerCount("SIGHUP"), 0, "listeners go at the stop");
  assert.equal(await isSettled(done), false);
  reading.resolve();
  await done;
  assert.equal(task.callsOf("execute").length, 1);
});

/** A stage that, like `fetch`, rejects with its signal's reason on abort. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    })
  );
}

test("interruptible: a restart's stage that rejects with the stop's echo leaves it to the manager", async () => {
  for (const stage of ["cleanup", "initialize"] as const) {
    for (const reason of [undefined, NaN]) {
      const task = new FakeTask(`reload-${stage}`);
      task.when(stage).onCall(0).calls(rejectOnAbort);
      const controller = new AbortController();
      const done = Promise.resolve(
        interruptible(["SIGHUP"], task).execute(controller.signal),
      );
      await task.called("execute");
      await sendSignal("SIGHUP");
      await task.called(stage);
      controller.abort(reason);
      // Not wrapped in "restarting the task ... failed": the stop's reason.
      await assert.rejects(
        done,
        (error) => Object.is(error, controller.signal.reason),
      );
      assert.equal(handlerCount("SIGHUP"), 0);
      assert.equal(task.callsOf("execute").length, 1);
    }
  }
});

test("interruptible under a TaskManager: a stop during a reload's initialize reports nothing, as at startup", async () => {
  // At startup: the manager's own initialize, stopped the same way.
  const starting = new FakeTask("config");
  starting.when("initialize").calls(rejectOnAbort);
  const first = new TaskManager();
  first.addTask("config", interruptible(["SIGHUP"], starting));
  const stopFirst = new AbortController();
  const startup = first.run(stopFirst.signal);
  await starting.called("initialize");
  stopFirst.abort();
  assert.deepEqual(await startup, []);

  // During a reload.
  const reloading = new FakeTask("config");
  reloading.when("initialize").onCall(1).calls(rejectOnAbort);
  const manager = new TaskManager();
  manager.addTask("config", interruptible(["SIGHUP"], reloading));
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await reloading.called("execute");
  await sendSignal("SIGHUP");
  await reloading.called("initialize", 1);
  controller.abort();
  assert.deepEqual(await done, []);
  assert.deepEqual(reloading.log.sequence(), [
    "config.initialize",
    "config.execute",
    "config.cleanup",
    "config.initialize",
    "config.cleanup",
  ]);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible stops listening at the stop even if the task never settles", async () => {
  const task = new FakeTask("stubborn");
  task.when("execute").calls(() => new Promise(() => {}));
  const controller = new AbortController();
  const done = Promise.resolve(
    interruptible(["SIGHUP"], task).execute(controller.signal),
  );
  await task.called("execute");
  assert.equal(handlerCount("SIGHUP"), 1);
  controller.abort();
  assert.equal(handlerCount("SIGHUP"), 0);
  assert.equal(await isSettled(done), false);
});

test("interruptible with an already aborted signal runs execute once, without listening", async () => {
  const task = new FakeTask("late");
  const signal = AbortSignal.abort();
  await interruptible(["SIGHUP"], task).execute(signal);
  assert.equal(task.callsOf("execute")[0].signal, signal);
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible under a TaskManager: reload on SIGHUP, clean stop, no error", async () => {
  const log = new CallLog();
  const config = new FakeTask("config", { log });
  const other = new FakeTask("other", { log });
  const manager = new TaskManager();
  manager.addTask("config", interruptible(["SIGHUP"], config));
  manager.addTask("other", other);
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await config.called("execute");
  await sendSignal("SIGHUP");
  await config.called("execute", 1);
  controller.abort();
  assert.deepEqual(await done, []);
  assert.deepEqual(log.sequence(), [
    "config.initialize",
    "other.initialize",
    "config.execute",
    "other.execute",
    "config.cleanup",
    "config.initialize",
    "config.execute",
    "other.cleanup",
    "config.cleanup",
  ]);
  assert.equal(other.callsOf("execute").length, 1, "others are not restarted");
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("interruptible under runMain, in a real process: SIGTERM during a reload's initialize exits 0", async () => {
  const child = spawnFixture(
    "tests/fixtures/tasks_interruptible_reload_stop.ts",
  );
  await child.waitForLine("ready 1");
  child.kill("SIGHUP");
  await child.waitForLine("reloading");
  child.kill("SIGTERM");
  const { code, stdout, stderr } = await child.exited;
  assert.deepEqual({ code, stdout, stderr }, {
    code: 0,
    stdout: ["ready 1", "reloading"],
    stderr: [],
  });
});
