/**
 * Fresh processes, real clocks: each test runs a small program from
 * tests/fixtures/real_clock/ on the runtime running the test, and checks its
 * exit code, its output, and how long it lived after `run` resolved (the
 * line "resolved"). A timer left behind shows up as a long tail.
 *
 * The margins are wide: a tail bound of 5 s against 10 s timers, so neither
 * a loaded machine (a slow exit) nor the bug (a 10 s tail) can pass for the
 * other.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ChildExit,
  explain,
  msAfterLine,
  runProgram,
  runtimeName,
  spawnFixture,
} from "./helpers/child.ts";

/** Longest a process may live after "resolved"; the timers tested are 10 s. */
const TAIL_MS = 5_000;

/** Every test spawns a process; a failing one can take 10 s. */
const LONG = { timeout: 60_000 };

function fixture(name: string): string {
  return `tests/fixtures/real_clock/${name}.ts`;
}

function run(name: string): Promise<ChildExit> {
  return runProgram(fixture(name));
}

/** Exit 0, these stdout lines, and no long life after "resolved". */
function assertPromptEnd(result: ChildExit, stdout: string[]) {
  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(result.stdout, stdout, explain(result));
  const tail = msAfterLine(result, "resolved")!;
  assert.ok(
    tail < TAIL_MS,
    `the process lived ${
      tail.toFixed(0)
    } ms after run resolved: a timer was left behind\n${explain(result)}`,
  );
}

test(
  "a stop from a timer callback: the shutdown deadline does not outlive the shutdown",
  LONG,
  async () => {
    assertPromptEnd(await run("deadline_tail"), ["resolved"]);
  },
);

test(
  "a stop from a timer callback: cleanups within shutdownTimeout are not timed out",
  LONG,
  async () => {
    assertPromptEnd(await run("deadline_cleanups"), ["resolved"]);
  },
);

test(
  "a normal run with a deadline, forceStop and repeatTimer leaves no timer behind",
  LONG,
  async () => {
    assertPromptEnd(await run("normal_run"), ["resolved", "ticked"]);
  },
);

test(
  "the doc-example trap: run(AbortSignal.timeout(n)) with tasks that only wait exits 13 on Node",
  LONG,
  async () => {
    const result = await run("timeout_only");
    if (runtimeName() === "node") {
      // Node does not wait for AbortSignal.timeout's timer: the stop never
      // comes, and the unsettled top-level await ends the process with 13.
      assert.equal(result.code, 13, explain(result));
      assert.deepEqual(result.stdout, [], explain(result));
    } else {
      assertPromptEnd(result, ["resolved"]);
    }
  },
);

test(
  "the doc-example shape: a task that ends stops the manager, on every runtime",
  LONG,
  async () => {
    assertPromptEnd(await run("task_that_ends"), ["resolved"]);
  },
);

test(
  "a handler added while a SIGINT is delivered is not called for that SIGINT",
  LONG,
  async () => {
    const child = spawnFixture(fixture("press_again"));
    await child.waitForLine("ready");
    child.kill("SIGINT");
    const result = await child.exited;
    assert.equal(result.code, 0, explain(result));
    assert.deepEqual(result.stdout, ["ready", "stopped"], explain(result));
  },
);

test(
  "a handler that removes and re-adds itself is called once for one signal",
  LONG,
  async () => {
    const child = spawnFixture(fixture("readd_handler"));
    await child.waitForLine("ready");
    child.kill("SIGUSR1");
    const result = await child.exited;
    assert.equal(result.code, 0, explain(result));
    assert.deepEqual(result.stdout, ["ready", "calls 1"], explain(result));
  },
);

test(
  "a returned promise whose then getter throws: its own rejection does not escape",
  LONG,
  async () => {
    const result = await run("then_getter");
    assert.equal(result.code, 0, explain(result));
    assert.equal(result.stdout[0], "resolved", explain(result));
    assert.equal(result.stdout.length, 2, explain(result));
    assert.equal(JSON.parse(result.stdout[1])[0], "hostile", explain(result));
    assert.deepEqual(result.stderr, [], explain(result));
  },
);

test(
  "runMain with an async reporter that rejects still reports on stderr and exits 1",
  LONG,
  async () => {
    const result = await run("async_reporter");
    assert.equal(result.code, 1, explain(result));
    assert.ok(
      result.stderr.some((line) => line.includes("the task failed")),
      explain(result),
    );
  },
);
