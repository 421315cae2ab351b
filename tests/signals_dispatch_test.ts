/**
 * How handlers added or failing during a signal's dispatch behave, in real
 * processes. Deno calls a listener added during a dispatch for that same
 * signal; addSignalListener makes every runtime wait for the next delivery,
 * which is what a "second signal forces the exit" design needs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ChildExit,
  explain,
  runtimeName,
  spawnFixture,
} from "./helpers/child.ts";

const SAME_DISPATCH = new URL("./fixtures/same_dispatch.ts", import.meta.url);
const THROWING = new URL("./fixtures/throwing_handler.ts", import.meta.url);

/** Sends SIGUSR2 twice, each after the fixture handled the one before. */
async function twoDeliveries(raw: boolean): Promise<ChildExit> {
  const child = spawnFixture(SAME_DISPATCH, { args: raw ? ["raw"] : [] });
  await child.waitForLine("ready");
  child.kill("SIGUSR2");
  await child.waitForLine("first #1");
  child.kill("SIGUSR2");
  return await child.exited;
}

test("addSignalListener: a handler added during a dispatch is not called for that signal, on every runtime", async () => {
  const result = await twoDeliveries(false);
  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(result.stdout.filter((l) => l), [
    "ready",
    "first #1",
    "first #2",
    "late",
  ]);
});

test("the runtime's own API: Deno calls a handler added during a dispatch at once (the trap)", async () => {
  const result = await twoDeliveries(true);
  assert.equal(result.code, 0, explain(result));
  const expected = runtimeName() === "deno"
    ? ["ready", "first #1", "late", "first #2", "late"]
    : ["ready", "first #1", "first #2", "late"];
  assert.deepEqual(result.stdout.filter((l) => l), expected);
});

test("a handler that throws does not keep the next one from running; its error is not swallowed", async () => {
  const child = spawnFixture(THROWING);
  await child.waitForLine("ready");
  child.kill("SIGUSR2");
  const result = await child.exited;
  assert.ok(result.stdout.includes("first handler throws"), explain(result));
  assert.ok(result.stdout.includes("second handler ran"), explain(result));
  assert.notEqual(result.code, 0, explain(result));
  assert.ok(
    result.stderr.some((l) => l.includes("handler failed")),
    explain(result),
  );
});

const PRESS_AGAIN = new URL("./fixtures/press_again.ts", import.meta.url);
const STOPPING = "stopping; press Ctrl-C again to force";

test('ShutdownController + a "press Ctrl-C again" handler added on abort: ONE SIGINT stops gracefully, exit 0', async () => {
  const child = spawnFixture(PRESS_AGAIN, { args: ["graceful"] });
  await child.waitForLine("ready");
  child.kill("SIGINT");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(result.stdout.filter((l) => l), [
    "ready",
    STOPPING,
    "stopped cleanly with 0 errors",
  ]);
});

test('the same "press Ctrl-C again" handler forces the exit on the SECOND SIGINT (130)', async () => {
  const child = spawnFixture(PRESS_AGAIN, { args: ["stubborn"] });
  await child.waitForLine("ready");
  child.kill("SIGINT");
  await child.waitForLine(STOPPING);
  child.kill("SIGINT");
  const result = await child.exited;
  assert.equal(result.code, 130, explain(result));
  assert.deepEqual(result.stdout.filter((l) => l), [
    "ready",
    STOPPING,
    "forced",
  ]);
});

test("a handler that removes and re-adds itself is called once per real signal", async () => {
  const child = spawnFixture(PRESS_AGAIN, { args: ["readd"] });
  await child.waitForLine("ready");
  child.kill("SIGHUP");
  await child.waitForLine("handler #1");
  child.kill("SIGHUP");
  await child.waitForLine("handler #2");
  // SIGTERM is dispatched after both SIGHUPs were, so its count is final.
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(result.stdout.filter((l) => l), [
    "ready",
    "handler #1",
    "handler #2",
    "end after 2 calls",
  ]);
});
