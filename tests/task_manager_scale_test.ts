import { test } from "node:test";
import assert from "node:assert/strict";
import { ExecuteTaskType, TaskManager } from "../mod.ts";
import { latch, untilAborted } from "./helpers/tasks.ts";

const N = 50_000;
// Linear work takes under half a second on every runtime. The bound leaves a
// loaded 2-core machine 20 times that, and still fails the O(N²) mistake of
// one signal shared by every task on Node (44.7 s for 100,000 tasks, about
// 11 s here); tests/scaling_test.ts catches any quadratic term by growth.
const LIMIT_MS = 10_000;
// The test's own timeout only stops a hang; the bound above decides.
const TIMEOUT_MS = 120_000;

test(`${N} execute tasks start and stop well inside ${LIMIT_MS / 1000} s`, {
  timeout: TIMEOUT_MS,
}, async () => {
  const start = performance.now();
  const manager = new TaskManager();
  const allStarted = latch();
  let started = 0;
  for (let i = 0; i < N; i++) {
    manager.addExecuteTask(`task-${i}`, (signal) => {
      if (++started === N) allStarted.resolve();
      return untilAborted(signal);
    });
  }
  const controller = new AbortController();
  const done = manager.run(controller.signal);
  await allStarted.promise;
  controller.abort();
  assert.deepEqual(await done, []);
  const elapsed = performance.now() - start;
  console.log(`${N} tasks started and stopped in ${elapsed.toFixed(0)} ms`);
  assert.ok(
    elapsed < LIMIT_MS,
    `${elapsed.toFixed(0)} ms, over the ${LIMIT_MS} ms bound`,
  );
});

test(
  `${N} short-lived tasks added while running all finish within ${
    LIMIT_MS / 1000
  } s, then the manager stops cleanly`,
  {
    timeout: TIMEOUT_MS,
  },
  async () => {
    const manager = new TaskManager();
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    const allFinished = latch();
    let finished = 0;
    const start = performance.now();
    for (let i = 0; i < N; i++) {
      manager.addExecuteTask(`job-${i}`, async () => {
        await Promise.resolve();
        if (++finished === N) allFinished.resolve();
      }, ExecuteTaskType.Error);
    }
    await allFinished.promise;
    controller.abort();
    assert.deepEqual(await done, []);
    const elapsed = performance.now() - start;
    console.log(
      `${N} dynamic tasks ran to completion in ${elapsed.toFixed(0)} ms`,
    );
    assert.ok(
      elapsed < LIMIT_MS,
      `${elapsed.toFixed(0)} ms, over the ${LIMIT_MS} ms bound`,
    );
  },
);
