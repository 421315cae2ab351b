/**
 * runMain writes out what the program printed before it ends the process,
 * even when the reader is slow: the test reads nothing from the stream until
 * a while after the child started writing, so the pipe fills up and writes
 * queue inside the child. (Reading only after the exit would deadlock a
 * correct child.) Node.js, without the flush, kept 256 of 5,000 lines here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pause, runtimeName, spawnFixture } from "./helpers/child.ts";

const MANY = new URL("./fixtures/many_errors.ts", import.meta.url);
const COUNT = 5_000; // about 1.2 MB, far more than a pipe holds
const LONG = "x".repeat(200);

test("runMain writes every error line to a slow stderr reader before exiting", async () => {
  const child = spawnFixture(MANY, { args: [String(COUNT)], hold: "stderr" });
  await child.waitForLine("reporting");
  // The slow reader. If the machine is slower still, the child has written
  // less by now and the test checks less, but it never fails wrongly.
  await pause(300);
  child.release();
  const result = await child.exited;
  assert.equal(result.code, 1);
  const lines = result.stderr.filter((l) => l.startsWith("goasync: task"));
  assert.equal(lines.length, COUNT);
  assert.equal(
    lines.at(-1),
    `goasync: task "task-${COUNT - 1}" failed in execute: ${LONG}`,
  );
});

test("runMain lets console output reach a slow stdout reader before exiting", async () => {
  const child = spawnFixture(MANY, {
    args: [String(COUNT), "stdout"],
    hold: "stdout",
  });
  await child.waitForLine("reporting", "stderr");
  await pause(300);
  child.release();
  const result = await child.exited;
  assert.equal(result.code, 0);
  const lines = result.stdout.filter((l) => l.startsWith("line "));
  // Deno and Bun write console output synchronously; Node.js queues it,
  // and runMain waits for the queue before it exits.
  assert.equal(lines.length, COUNT, `on ${runtimeName()}`);
  assert.equal(lines.at(-1), `line ${COUNT - 1} ${LONG}`);
});
