import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { ShutdownController, shutdownController } from "../src/signals/mod.ts";
import { handlerCount } from "../src/signals/listeners.ts";
import { detectRuntime } from "../src/signals/runtime.ts";
import { guarded, runtimeName } from "./helpers/child.ts";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2"] as const;

/** Handlers through our registry, and the runtime's own listener counts. */
function counts(): string {
  const ours = SIGNALS.map((s) => `${s}=${handlerCount(s)}`).join(" ");
  if (runtimeName() === "deno") return ours; // Deno cannot count its own
  const raw = SIGNALS.map((s) => `${s}=${process.listenerCount(s)}`);
  return `${ours} | ${raw.join(" ")}`;
}

test("ShutdownController aborts on a real signal with a reason naming it, then removes its listeners", async () => {
  const before = counts();
  const [usr2, hup] = [handlerCount("SIGUSR2"), handlerCount("SIGHUP")];
  const controller = new ShutdownController(["SIGHUP", "SIGUSR2"]);
  assert.ok(controller instanceof AbortController);
  assert.equal(handlerCount("SIGUSR2"), usr2 + 1);
  assert.equal(handlerCount("SIGHUP"), hup + 1);
  const aborted = new Promise((resolve) =>
    controller.signal.addEventListener("abort", resolve, { once: true })
  );
  // SIGHUP, not SIGUSR2: Node.js 24 test files report on SIGUSR2.
  process.kill(process.pid, "SIGHUP");
  await guarded(aborted, 30_000, "SIGHUP");
  const reason = controller.signal.reason;
  assert.ok(reason instanceof DOMException);
  assert.equal(reason.name, "AbortError");
  assert.equal(reason.message, "received SIGHUP");
  assert.equal(controller.receivedSignal, "SIGHUP");
  assert.equal(counts(), before);
});

test("ShutdownController listens for SIGINT and SIGTERM by default", () => {
  const before = counts();
  const ours = (s: "SIGINT" | "SIGTERM" | "SIGHUP") => handlerCount(s);
  const raw = (s: string) =>
    runtimeName() === "deno" ? 0 : process.listenerCount(s);
  const [int, term, hup, rawInt, rawTerm] = [
    ours("SIGINT"),
    ours("SIGTERM"),
    ours("SIGHUP"),
    raw("SIGINT"),
    raw("SIGTERM"),
  ];
  const controller = shutdownController();
  try {
    assert.ok(controller instanceof ShutdownController);
    assert.equal(ours("SIGINT"), int + 1);
    assert.equal(ours("SIGTERM"), term + 1);
    assert.equal(ours("SIGHUP"), hup);
    if (runtimeName() !== "deno") {
      // One raw listener per signal, however many handlers share it.
      assert.equal(raw("SIGINT"), int > 0 ? rawInt : rawInt + 1);
      assert.equal(raw("SIGTERM"), term > 0 ? rawTerm : rawTerm + 1);
    }
  } finally {
    controller[Symbol.dispose]();
  }
  assert.equal(counts(), before);
  assert.equal(controller.signal.aborted, false, "dispose does not abort");
});

test("disposing with `using` removes every listener the controller added", () => {
  const before = counts();
  const start = SIGNALS.map((signal) => handlerCount(signal));
  {
    using controller = shutdownController([...SIGNALS]);
    assert.equal(controller.signal.aborted, false);
    SIGNALS.forEach((signal, i) =>
      assert.equal(handlerCount(signal), start[i] + 1)
    );
  }
  assert.equal(counts(), before);
});

test("abort() removes the listeners too, and leaves receivedSignal undefined", () => {
  const before = counts();
  const controller = shutdownController(["SIGTERM", "SIGHUP"]);
  const reason = new Error("configuration changed");
  controller.abort(reason);
  assert.equal(controller.signal.reason, reason);
  assert.equal(controller.receivedSignal, undefined);
  assert.equal(counts(), before);
  controller[Symbol.dispose](); // disposing after aborting is harmless
  assert.equal(counts(), before);
});

test("two controllers on one signal are independent; neither removes the other's listener", () => {
  const before = counts();
  const start = handlerCount("SIGHUP");
  const a = shutdownController(["SIGHUP"]);
  const b = shutdownController(["SIGHUP"]);
  assert.equal(handlerCount("SIGHUP"), start + 2);
  a[Symbol.dispose]();
  assert.equal(handlerCount("SIGHUP"), start + 1);
  assert.equal(b.signal.aborted, false);
  b.abort();
  assert.equal(counts(), before);
});

test("bad signal lists throw and install nothing", () => {
  const before = counts();
  assert.throws(
    () => shutdownController(["SIGINT", "SIGNOPE" as "SIGINT"]),
    (error: unknown) =>
      error instanceof TypeError &&
      /unknown signal "SIGNOPE"/.test(error.message),
  );
  assert.throws(() => shutdownController([]), TypeError);
  assert.throws(
    () => new ShutdownController("SIGINT" as unknown as ["SIGINT"]),
    /non-empty array/,
  );
  if (process.platform !== "win32") {
    assert.throws(
      () => shutdownController(["SIGTERM", "SIGBREAK"]),
      /SIGBREAK does not exist on this system/,
    );
  }
  assert.equal(counts(), before);
});

test("a runtime without OS signals gets an error that names it", () => {
  const cases: [object, RegExp][] = [
    [{}, /OS signals are not available in this JavaScript runtime/],
    [
      { window: {}, navigator: { userAgent: "Mozilla/5.0 Firefox/140.0" } },
      /not available in a browser \(Mozilla\/5\.0 Firefox\/140\.0\)/,
    ],
    [
      { WorkerGlobalScope: function () {}, navigator: { userAgent: "Chrome" } },
      /not available in a web worker \(Chrome\)/,
    ],
    [
      {
        Deno: { version: { deno: "2.0.0" } },
        navigator: { userAgent: "Deno/2" },
      },
      /this Deno runtime \(Deno\/2\), which has no Deno\.addSignalListener \(Deno Deploy/,
    ],
  ];
  for (const [globals, message] of cases) {
    assert.throws(
      () => detectRuntime(globals),
      (error: unknown) =>
        error instanceof Error && message.test(error.message) &&
        error.message.includes("Node.js or Bun"),
    );
  }
});

test("feature detection picks the right adapter for this runtime", () => {
  const runtime = detectRuntime();
  const expected = {
    deno: /^Deno 2\./,
    node: /^Node\.js v24\./,
    bun: /^Bun 1\./,
  };
  assert.match(runtime.name, expected[runtimeName()]);
  assert.equal(
    runtime.platform,
    process.platform === "win32"
      ? "windows"
      : process.platform === "linux"
      ? "linux"
      : runtime.platform,
  );
});
