/**
 * The floor: the same work written by hand with one `AbortController` per
 * task and `Promise.all`, no library. Nothing that manages tasks can do less;
 * it also does not catch a task's failure, which any manager must.
 *
 * @module
 */

import { Countdown } from "../lib/countdown.ts";
import type { Contender, Stop } from "./types.ts";
import { idleExecute, lifecycleTask, quickExecute, Tally } from "./workload.ts";

/**
 * The hand-written baseline.
 *
 * @example
 * ```ts
 * import { floor } from "./floor.ts";
 *
 * const stop = await floor.idle(10, true);
 * await stop();
 * ```
 */
export const floor: Contender = {
  name: "floor",

  async idle(n: number, lifecycle: boolean): Promise<Stop> {
    const tally = new Tally(n);
    const task = lifecycleTask(tally);
    const execute = lifecycle ? task.execute : idleExecute(tally);
    const controllers = new Array<AbortController>(n);
    for (let i = 0; i < n; i++) {
      const controller = new AbortController();
      controllers[i] = controller;
      // Initialize in order, each before the next, as goasync does.
      if (lifecycle) task.initialize(controller.signal);
    }
    const running = new Array<Promise<void>>(n);
    for (let i = 0; i < n; i++) running[i] = execute(controllers[i].signal);
    await tally.started.done;
    return async () => {
      // One reason for all: a bare abort() would build a DOMException per
      // task (about 10 µs each on Node), which no careful hand would pay.
      const reason = new DOMException("stopped", "AbortError");
      for (const controller of controllers) controller.abort(reason);
      await Promise.all(running);
      if (!lifecycle) return;
      for (let i = n - 1; i >= 0; i--) task.cleanup(controllers[i].signal);
      tally.checkLifecycle(n, "floor");
    };
  },

  churn(n: number) {
    return Promise.resolve(async () => {
      const finished = new Countdown(n);
      const execute = quickExecute(finished);
      // Live tasks are kept so a stop could abort them, as a manager must.
      const live = new Set<AbortController>();
      const settled = new Array<Promise<void>>(n);
      for (let i = 0; i < n; i++) {
        const controller = new AbortController();
        live.add(controller);
        settled[i] = execute(controller.signal).then(() => {
          live.delete(controller);
        });
      }
      await finished.done;
      await Promise.all(settled);
      const reason = new DOMException("stopped", "AbortError");
      for (const controller of live) controller.abort(reason);
      if (live.size !== 0 || finished.left !== 0) {
        throw new Error(`floor: ${live.size} churn tasks still live`);
      }
    });
  },
};
