/**
 * `@goasync/core` doing the benchmark's work through its public API only.
 *
 * @module
 */

import { ExecuteTaskType, TaskManager } from "../../mod.ts";
import { Countdown } from "../lib/countdown.ts";
import type { Contender, Stop } from "./types.ts";
import { idleExecute, lifecycleTask, quickExecute, Tally } from "./workload.ts";

/** Names need not be unique; one constant keeps string building out of it. */
const NAME = "task";

/**
 * The library under test.
 *
 * @example
 * ```ts
 * import { goasync } from "./goasync.ts";
 *
 * const stop = await goasync.idle(10, true);
 * await stop();
 * ```
 */
export const goasync: Contender = {
  name: "goasync",

  async idle(n: number, lifecycle: boolean): Promise<Stop> {
    const tally = new Tally(n);
    const manager = new TaskManager();
    if (lifecycle) {
      const task = lifecycleTask(tally);
      for (let i = 0; i < n; i++) manager.addTask(NAME, task);
    } else {
      const execute = idleExecute(tally);
      for (let i = 0; i < n; i++) manager.addExecuteTask(NAME, execute);
    }
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    await tally.started.done;
    return async () => {
      controller.abort();
      const errors = await done;
      if (errors.length > 0) {
        throw new Error(`goasync: ${errors.length} task errors`, {
          cause: errors[0],
        });
      }
      if (lifecycle) tally.checkLifecycle(n, "goasync");
    };
  },

  async churn(n: number) {
    const manager = new TaskManager();
    const controller = new AbortController();
    const done = manager.run(controller.signal);
    // With no tasks, run starts executing after its (empty) initialize pass;
    // one macrotask later every added task starts at once.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return async () => {
      const finished = new Countdown(n);
      const execute = quickExecute(finished);
      for (let i = 0; i < n; i++) {
        // An error task may return: a strict one would stop the manager.
        manager.addExecuteTask(NAME, execute, ExecuteTaskType.Error);
      }
      await finished.done;
      controller.abort();
      const errors = await done;
      if (errors.length > 0) {
        throw new Error(`goasync: ${errors.length} task errors`, {
          cause: errors[0],
        });
      }
    };
  },
};
