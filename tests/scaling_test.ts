/**
 * Regression guard: starting and stopping tasks must stay linear in their
 * number. Each test times the same shape at 20,000 and at 100,000 tasks in
 * one process and fails if five times the tasks take twelve times as long or
 * more. Linear work gives about 5 (measured: 1.7 to 9.2 on a loaded 2-core
 * machine); a quadratic term gives up to 25, and passes 12 once it costs
 * half as much as the linear work at 20,000 tasks. A copy of the manager
 * with the shared-signal mistake DESIGN.md records scored 30 to 39.
 *
 * No absolute time is asserted. A loaded machine can stall one sample, so each
 * figure is a median of several after a warm-up, and an attempt over the bound
 * is retried twice: a real quadratic term fails every attempt. A full garbage
 * collection before each sample keeps one sample's garbage from landing in
 * the next one's time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { ExecuteTaskType, TaskManager } from "../mod.ts";
import { countdown, untilAborted } from "./helpers/tasks.ts";

const SMALL = 20_000;
const LARGE = 100_000;
const BOUND = 12;
const ROUNDS = 5;
const ATTEMPTS = 3;

/**
 * A full garbage collection, or nothing where none can be had: `Bun.gc` on
 * Bun, else V8's `gc`, exposed at run time (Node and Deno run V8).
 */
const collectGarbage: () => void = (() => {
  const globals = globalThis as unknown as {
    Bun?: { gc(force: boolean): void };
    gc?: () => void;
  };
  if (globals.Bun) return () => globals.Bun!.gc(true);
  if (typeof globals.gc === "function") return globals.gc;
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return () => {};
  }
})();

/** Runs one shape with `n` tasks, start to end. */
type Shape = (n: number) => Promise<void>;

async function stopAndCheck(
  controller: AbortController,
  done: Promise<unknown[]>,
) {
  controller.abort();
  assert.deepEqual(await done, []);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function timed(shape: Shape, n: number): Promise<number> {
  collectGarbage();
  const start = performance.now();
  await shape(n);
  return performance.now() - start;
}

/** One attempt: median time at LARGE over median time at SMALL. */
async function growth(shape: Shape): Promise<number> {
  await shape(SMALL); // warm-up: let the JIT compile the paths first
  await shape(SMALL);
  const small: number[] = [];
  const large: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    small.push(await timed(shape, SMALL));
    large.push(await timed(shape, LARGE));
    // A clearly quadratic run is not worth repeating four more times.
    if (large[round] > 2 * BOUND * median(small)) break;
  }
  return median(large) / median(small);
}

async function assertLinear(shape: Shape) {
  const seen: number[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    seen.push(await growth(shape));
    if (seen[attempt] < BOUND) return;
  }
  assert.fail(
    `${LARGE} tasks took ${
      seen.map((r) => r.toFixed(1)).join("×, ")
    }× as long as ${SMALL} (bound ${BOUND}×; linear is about 5×)`,
  );
}

test("execute tasks added before run start and stop in linear time", async () => {
  await assertLinear(async (n) => {
    const manager = new TaskManager();
    const started = countdown(n);
    const execute = (signal: AbortSignal) => {
      started.tick();
      return untilAborted(signal);
    };
    for (let i = 0; i < n; i++) manager.addExecuteTask("idle", execute);
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await started.done;
    await stopAndCheck(controller, done);
  });
});

test("tasks with initialize and cleanup run in linear time", async () => {
  await assertLinear(async (n) => {
    const manager = new TaskManager();
    const started = countdown(n);
    let cleanedUp = 0;
    const task = {
      initialize() {},
      execute(signal: AbortSignal) {
        started.tick();
        return untilAborted(signal);
      },
      cleanup() {
        cleanedUp++;
      },
    };
    for (let i = 0; i < n; i++) manager.addTask("lifecycle", task);
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await started.done;
    await stopAndCheck(controller, done);
    assert.equal(cleanedUp, n);
  });
});

test("cleanups that leave a listener on their signal run in linear time", async () => {
  // One signal shared by all cleanups would gather these listeners, and
  // each addEventListener scans those already there.
  await assertLinear(async (n) => {
    const manager = new TaskManager();
    const started = countdown(n);
    const task = {
      execute(signal: AbortSignal) {
        started.tick();
        return untilAborted(signal);
      },
      cleanup(signal: AbortSignal) {
        signal.addEventListener("abort", () => {});
      },
    };
    for (let i = 0; i < n; i++) manager.addTask("lifecycle", task);
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await started.done;
    await stopAndCheck(controller, done);
  });
});

test("execute tasks added while running, then stopped, take linear time", async () => {
  await assertLinear(async (n) => {
    const manager = new TaskManager();
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 0)); // now executing
    const started = countdown(n);
    const execute = (signal: AbortSignal) => {
      started.tick();
      return untilAborted(signal);
    };
    for (let i = 0; i < n; i++) manager.addExecuteTask("late", execute);
    await started.done;
    await stopAndCheck(controller, done);
  });
});

test("short tasks added while running finish in linear time", async () => {
  // In batches, as requests arrive: all N alive at once would measure when
  // the runtime's young generation overflows, which moves with every change
  // in allocation. The tests above already hold all N tasks at once.
  const BATCH = 1_000;
  await assertLinear(async (n) => {
    const manager = new TaskManager();
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 0)); // now executing
    for (let added = 0; added < n; added += BATCH) {
      const finished = countdown(BATCH);
      // deno-lint-ignore require-await
      const execute = async () => finished.tick();
      for (let i = 0; i < BATCH; i++) {
        manager.addExecuteTask("quick", execute, ExecuteTaskType.Error);
      }
      await finished.done;
    }
    await stopAndCheck(controller, done);
  });
});
