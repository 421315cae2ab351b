/**
 * runMain with real OS signals sent to a real service process
 * (tests/fixtures/service.ts) running on the same runtime as the test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, pause, spawnFixture } from "./helpers/child.ts";

const SERVICE = new URL("./fixtures/service.ts", import.meta.url);

/** Asserts that `lines` contains `expected` in this relative order. */
function assertInOrder(lines: readonly string[], expected: string[]) {
  const positions = expected.map((line) => lines.indexOf(line));
  assert.ok(
    positions.every((at, i) => at !== -1 && (i === 0 || at > positions[i - 1])),
    `expected, in order:\n  ${expected.join("\n  ")}\ngot:\n  ${
      lines.join("\n  ")
    }`,
  );
}

test("SIGTERM: graceful stop, cleanup in reverse order, exit code 0", async () => {
  const child = spawnFixture(SERVICE);
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  assertInOrder(result.stdout, [
    "server: initialized",
    "ready",
    "server: stopped (received SIGTERM)",
    "worker: cleaned up",
    "server: cleaned up",
  ]);
  assertInOrder(result.stdout, ["worker: stopped", "worker: cleaned up"]);
  assert.deepEqual(result.stderr.filter((l) => l !== ""), []);
});

test("SIGTERM with signalExitCode '128+n': graceful stop, exit code 143", async () => {
  const child = spawnFixture(SERVICE, { args: ["--signal-exit"] });
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 143, explain(result));
  assertInOrder(result.stdout, ["worker: cleaned up", "server: cleaned up"]);
});

test("a task ignores its signal: a second SIGINT a second later exits at once with 130", async () => {
  const child = spawnFixture(SERVICE, { args: ["--stubborn"] });
  await child.waitForLine("ready");
  child.kill("SIGINT");
  // The service has handled the first SIGINT once the task says so; waiting
  // for that line makes "a second later" hold on the service's clock too.
  await child.waitForLine("stubborn: ignoring the stop");
  await pause(1_000);
  child.kill("SIGINT");
  const result = await child.exited;
  assert.equal(result.code, 130, explain(result));
  assert.ok(result.stdout.includes("server: stopped (received SIGINT)"));
  // Forced: cleanup never ran.
  assert.ok(
    !result.stdout.some((l) => l.endsWith("cleaned up")),
    explain(result),
  );
  assert.ok(
    result.stderr.includes(
      "goasync: received SIGINT again while shutting down; exiting at once with code 130",
    ),
    explain(result),
  );
});

test("slow cleanup and two SIGINTs 20 ms apart (one Ctrl-C delivered twice): still a graceful exit 0", async () => {
  // The window is widened from the default 300 ms so that a loaded machine
  // stalling the test between the two kills cannot turn the pair into two
  // presses; the default itself is checked in run_main_unit_test.ts.
  const child = spawnFixture(SERVICE, {
    args: ["--slow-cleanup", "--window", "2000"],
  });
  await child.waitForLine("ready");
  child.kill("SIGINT");
  await pause(20);
  child.kill("SIGINT");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  // The cleanup waited until the process had seen both SIGINTs, so the
  // second one arrived mid-shutdown, and still did not force the exit.
  assertInOrder(result.stdout, [
    "ready",
    "fixture saw SIGINT #1",
    "server: stopped (received SIGINT)",
    "worker: cleaned up",
    "server: cleanup waiting",
    "server: cleaned up",
  ]);
  assertInOrder(result.stdout, [
    "fixture saw SIGINT #2",
    "server: cleaned up",
  ]);
  assert.deepEqual(result.stderr.filter((l) => l !== ""), []);
});

test("a failing task: exit code 1 and one error line on stderr", async () => {
  const child = spawnFixture(SERVICE, { args: ["--fail"] });
  const result = await child.exited;
  assert.equal(result.code, 1, explain(result));
  assert.deepEqual(result.stderr.filter((l) => l !== ""), [
    'goasync: task "payments" failed in execute: card declined',
  ]);
  assertInOrder(result.stdout, [
    "ready",
    "worker: cleaned up",
    "server: cleaned up",
  ]);
});

test("runMain's shutdownTimeout: a shutdown that outlives it exits 1 with a report", async () => {
  const child = spawnFixture(SERVICE, {
    args: ["--stubborn", "--timeout", "200"],
  });
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 1, explain(result));
  assert.ok(
    result.stderr.includes(
      "goasync: shutdown did not finish within 200 ms of SIGTERM; exiting with code 1",
    ),
    explain(result),
  );
});
