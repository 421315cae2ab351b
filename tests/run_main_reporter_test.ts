/**
 * runMain with an async reporter, in real processes: a line whose reporter
 * rejects still reaches stderr, and a slow reporter is waited for before
 * the exit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, spawnFixture } from "./helpers/child.ts";

const ASYNC_REPORTER = new URL("./fixtures/async_reporter.ts", import.meta.url);
const LINE = 'goasync: task "api" failed in execute: boom';

test("an async reporter that rejects: the line goes to stderr, exit 1", async () => {
  const result = await spawnFixture(ASYNC_REPORTER, { args: ["rejects"] })
    .exited;
  assert.equal(result.code, 1, explain(result));
  assert.deepEqual(result.stderr.filter((l) => l), [LINE]);
});

test("an async reporter that takes a while is waited for before the exit", async () => {
  const result = await spawnFixture(ASYNC_REPORTER, { args: ["slow"] }).exited;
  assert.equal(result.code, 1, explain(result));
  assert.deepEqual(result.stdout.filter((l) => l), [`reported: ${LINE}`]);
  assert.deepEqual(result.stderr.filter((l) => l), []);
});
