/**
 * Effect 4 doing the benchmark's work the way its docs show: make a `Scope`,
 * `Effect.forkIn` each task into it, `Scope.close` it to interrupt them all.
 * A task waits with `Effect.never`; initialize and cleanup are an
 * `acquireRelease` in the same scope.
 *
 * @module
 */

import { Effect, Exit, Scope } from "effect";
import { Countdown } from "../lib/countdown.ts";
import type { Contender, Stop } from "./types.ts";
import { lifecycleTask, Tally } from "./workload.ts";

/**
 * The Effect contender.
 *
 * @example
 * ```ts
 * import { effect } from "./effect.ts";
 *
 * const stop = await effect.idle(10, true);
 * await stop();
 * ```
 */
export const effect: Contender = {
  name: "effect",

  async idle(n: number, lifecycle: boolean): Promise<Stop> {
    const tally = new Tally(n);
    const stages = lifecycleTask(tally);
    const idle = Effect.andThen(
      Effect.sync(() => tally.started.tick()),
      Effect.never,
    );
    const resource = Effect.acquireRelease(
      Effect.sync(() => stages.initialize()),
      () => Effect.sync(() => stages.cleanup()),
    );
    const scope = await Effect.runPromise(Effect.gen(function* () {
      const scope = yield* Scope.make();
      for (let i = 0; i < n; i++) {
        if (lifecycle) yield* Scope.provide(resource, scope);
        yield* Effect.forkIn(idle, scope);
      }
      return scope;
    }));
    await tally.started.done;
    return async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void));
      if (lifecycle) tally.checkLifecycle(n, "effect");
    };
  },

  churn(n: number) {
    return Promise.resolve(async () => {
      const finished = new Countdown(n);
      const quick = Effect.sync(() => finished.tick());
      await Effect.runPromise(Effect.gen(function* () {
        const scope = yield* Scope.make();
        for (let i = 0; i < n; i++) yield* Effect.forkIn(quick, scope);
        yield* Effect.promise(() => finished.done);
        yield* Scope.close(scope, Exit.void);
      }));
      if (finished.left !== 0) throw new Error("effect: churn incomplete");
    });
  },
};
