import { test } from "node:test";
import assert from "node:assert/strict";
import { ExecuteTaskType, TaskManager } from "../mod.ts";
import { latch, untilAborted } from "./helpers/tasks.ts";

const N = 50_000;
// One signal shared by every task costs O(N²): DESIGN.md measured 44.7 s for
// 100,000 tasks on Node 24. With one signal per task this is linear.
const LIMIT_MS = 30_000;

test(`${N} execute tasks start and stop well inside ${LIMIT_MS / 1000} s`, {
  timeout: LIMIT_MS,
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
  assert.ok(elapsed < LIMIT_MS);
});

test(
  `${N} short-lived tasks added while running all finish, then the manager stops cleanly`,
  {
    timeout: LIMIT_MS,
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
    console.log(
      `${N} dynamic tasks ran to completion in ${
        (performance.now() - start).toFixed(0)
      } ms`,
    );
  },
);
