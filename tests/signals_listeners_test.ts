import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { addSignalListener, removeSignalListener } from "../src/signals/mod.ts";
import {
  addHandler,
  handlerCount,
  removeHandler,
} from "../src/signals/listeners.ts";
import { FakeRuntime } from "./fixtures/fake_runtime.ts";
import { guarded } from "./helpers/child.ts";
import { latch } from "./helpers/tasks.ts";

const isDeno = "Deno" in globalThis;

// Signals sent to this very process use SIGHUP: Node.js 24 starts test files
// with report-on-signal for SIGUSR2, so a SIGUSR2 would also write a
// diagnostic report file into the working folder.

/** The runtime's own count where it has one (Deno's node:process has not). */
function rawCount(signal: string): number | undefined {
  return isDeno ? undefined : process.listenerCount(signal);
}

test("addSignalListener calls the handler for a real signal, and removal stops it", async () => {
  const before = rawCount("SIGHUP");
  let calls = 0;
  const delivered = latch();
  const handler = () => {
    calls++;
    delivered.resolve();
  };
  addSignalListener("SIGHUP", handler);
  addSignalListener("SIGHUP", handler); // a second add is a no-op
  try {
    assert.equal(handlerCount("SIGHUP"), 1);
    if (before !== undefined) assert.equal(rawCount("SIGHUP"), before + 1);
    process.kill(process.pid, "SIGHUP");
    await guarded(delivered.promise);
    assert.equal(calls, 1);
  } finally {
    removeSignalListener("SIGHUP", handler);
  }
  assert.equal(handlerCount("SIGHUP"), 0);
  if (before !== undefined) assert.equal(rawCount("SIGHUP"), before);
});

test("addSignalListener and removeSignalListener reject bad input with TypeErrors", () => {
  const noop = () => {};
  assert.throws(
    () => addSignalListener("SIGNOPE" as "SIGINT", noop),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith('addSignalListener: unknown signal "SIGNOPE"'),
  );
  assert.throws(
    () => removeSignalListener("SIGKILL" as "SIGINT", noop),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith(
        'removeSignalListener: unknown signal "SIGKILL"',
      ),
  );
  assert.throws(
    () =>
      addSignalListener("SIGHUP", "not a function" as unknown as () => void),
    /addSignalListener: the handler must be a function/,
  );
  assert.equal(handlerCount("SIGHUP"), 0);
});

test("SIGBREAK is an error outside Windows and nothing is installed", () => {
  if (process.platform === "win32") {
    const noop = () => {};
    addSignalListener("SIGBREAK", noop);
    removeSignalListener("SIGBREAK", noop);
    return;
  }
  assert.throws(
    () => addSignalListener("SIGBREAK", () => {}),
    /SIGBREAK does not exist on this system/,
  );
  assert.equal(handlerCount("SIGBREAK"), 0);
});

test("one raw listener per signal: installed with the first handler, removed with the last", () => {
  const runtime = new FakeRuntime();
  const a = () => {}, b = () => {};
  addHandler(runtime, "SIGTERM", a);
  addHandler(runtime, "SIGTERM", b);
  addHandler(runtime, "SIGINT", a);
  assert.equal(runtime.count("SIGTERM").length, 1);
  assert.equal(runtime.count("SIGINT").length, 1);
  removeHandler(runtime, "SIGTERM", a);
  assert.equal(runtime.count("SIGTERM").length, 1);
  removeHandler(runtime, "SIGTERM", b);
  removeHandler(runtime, "SIGINT", a);
  assert.equal(runtime.total(), 0);
});

test("removing never touches listeners other code installed", () => {
  const runtime = new FakeRuntime();
  const theirs = () => {};
  runtime.listen("SIGTERM", theirs); // installed directly, not through us
  removeHandler(runtime, "SIGTERM", theirs);
  assert.deepEqual(runtime.count("SIGTERM"), [theirs]);
  const ours = () => {};
  addHandler(runtime, "SIGTERM", ours);
  removeHandler(runtime, "SIGTERM", ours);
  assert.deepEqual(runtime.count("SIGTERM"), [theirs]);
});

test("a handler added during a dispatch waits for the next delivery; one removed is not called", () => {
  const runtime = new FakeRuntime();
  const calls: string[] = [];
  const late = () => calls.push("late");
  const removed = () => calls.push("removed");
  const first = () => {
    calls.push("first");
    addHandler(runtime, "SIGINT", late);
    removeHandler(runtime, "SIGINT", removed);
  };
  addHandler(runtime, "SIGINT", first);
  addHandler(runtime, "SIGINT", removed);
  runtime.deliver("SIGINT");
  assert.deepEqual(calls, ["first"]);
  runtime.deliver("SIGINT");
  assert.deepEqual(calls, ["first", "first", "late"]);
  removeHandler(runtime, "SIGINT", first);
  removeHandler(runtime, "SIGINT", late);
  assert.equal(runtime.total(), 0);
});

test("Deno-style live delivery: a handler added after the only one removed itself waits for the next delivery", () => {
  const runtime = new FakeRuntime();
  const calls: string[] = [];
  const force = () => calls.push("force");
  const once = () => {
    calls.push("once");
    removeHandler(runtime, "SIGINT", once); // the raw listener's last handler
    addHandler(runtime, "SIGINT", force); // "press Ctrl-C again to force"
  };
  addHandler(runtime, "SIGINT", once);
  runtime.deliverLive("SIGINT");
  assert.deepEqual(calls, ["once"]);
  assert.equal(runtime.count("SIGINT").length, 1, "one raw listener");
  runtime.deliverLive("SIGINT");
  assert.deepEqual(calls, ["once", "force"]);
  removeHandler(runtime, "SIGINT", force);
  assert.equal(runtime.total(), 0);
});

test("Deno-style live delivery: a handler that removes and re-adds itself is called once per delivery", () => {
  const runtime = new FakeRuntime();
  let calls = 0;
  const again = () => {
    calls++;
    removeHandler(runtime, "SIGHUP", again);
    addHandler(runtime, "SIGHUP", again);
  };
  addHandler(runtime, "SIGHUP", again);
  runtime.deliverLive("SIGHUP");
  assert.equal(calls, 1);
  runtime.deliverLive("SIGHUP");
  assert.equal(calls, 2);
  assert.equal(runtime.count("SIGHUP").length, 1, "one raw listener");
  removeHandler(runtime, "SIGHUP", again);
  assert.equal(runtime.total(), 0);
});

test("a handler removed during a dispatch, the last one, releases the raw listener once the dispatch ends", () => {
  const runtime = new FakeRuntime();
  const calls: string[] = [];
  const b = () => calls.push("b");
  const a = () => {
    calls.push("a");
    removeHandler(runtime, "SIGTERM", a);
    removeHandler(runtime, "SIGTERM", b);
    assert.equal(runtime.count("SIGTERM").length, 1, "kept during dispatch");
  };
  addHandler(runtime, "SIGTERM", a);
  addHandler(runtime, "SIGTERM", b);
  runtime.deliverLive("SIGTERM");
  assert.deepEqual(calls, ["a"]);
  assert.equal(runtime.total(), 0, "released after the dispatch");
  assert.equal(handlerCount("SIGTERM", runtime), 0);
});
