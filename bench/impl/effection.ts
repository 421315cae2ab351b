/**
 * Effection 4 doing the benchmark's work the way its docs show: `run` a root
 * operation, `spawn` each task under it, `halt` the root to stop them all.
 * A task waits with `suspend()` and cleans up in its `finally` block.
 *
 * @module
 */

import { type Operation, run, spawn, suspend, until } from "effection";
import { Countdown } from "../lib/countdown.ts";
import type { Contender, Stop } from "./types.ts";
import { lifecycleTask, Tally } from "./workload.ts";

/**
 * The Effection contender.
 *
 * @example
 * ```ts
 * import { effection } from "./effection.ts";
 *
 * const stop = await effection.idle(10, true);
 * await stop();
 * ```
 */
export const effection: Contender = {
  name: "effection",

  async idle(n: number, lifecycle: boolean): Promise<Stop> {
    const tally = new Tally(n);
    const stages = lifecycleTask(tally);
    function* idle(): Operation<void> {
      tally.started.tick();
      yield* suspend();
    }
    function* idleWithCleanup(): Operation<void> {
      try {
        tally.started.tick();
        yield* suspend();
      } finally {
        stages.cleanup();
      }
    }
    const root = run(function* () {
      for (let i = 0; i < n; i++) {
        if (lifecycle) {
          stages.initialize();
          yield* spawn(idleWithCleanup);
        } else {
          yield* spawn(idle);
        }
      }
      yield* suspend();
    });
    await tally.started.done;
    return async () => {
      await root.halt();
      if (lifecycle) tally.checkLifecycle(n, "effection");
    };
  },

  churn(n: number) {
    return Promise.resolve(async () => {
      const finished = new Countdown(n);
      // An operation that finishes at once has nothing to yield.
      // deno-lint-ignore require-yield
      function* quick(): Operation<void> {
        finished.tick();
      }
      await run(function* () {
        for (let i = 0; i < n; i++) yield* spawn(quick);
        yield* until(finished.done);
      });
      if (finished.left !== 0) throw new Error("effection: churn incomplete");
    });
  },
};
