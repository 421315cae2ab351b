/**
 * The four scenarios and how one sample of each is taken.
 *
 * @module
 */

import type { Contender } from "../impl/types.ts";
import { collectGarbage, cpuMillis, retainedBytes } from "./platform.ts";

/** The scenario names, in the order the report shows them. */
export const SCENARIOS = ["static", "churn", "lifecycle", "heap"] as const;

/** One of {@linkcode SCENARIOS}. */
export type Scenario = typeof SCENARIOS[number];

/** What each scenario's figure means. */
export const UNITS: Record<Scenario, string> = {
  static: "ms",
  churn: "ms",
  lifecycle: "ms",
  heap: "bytes/task",
};

/** One sample: the figure, and for the timed scenarios the CPU time too. */
export interface Sample {
  /** Wall milliseconds, or retained bytes per task for `heap`. */
  value: number;
  /** CPU milliseconds over the same span; absent for `heap`. */
  cpu?: number;
}

/**
 * Takes one sample: milliseconds for the timed scenarios, retained bytes per
 * idle running task for `heap`. A full collection first (where the runtime
 * allows it) keeps one sample's garbage from being charged to the next.
 *
 * @example
 * ```ts
 * import { floor } from "../impl/floor.ts";
 * import { sample } from "./scenarios.ts";
 *
 * console.log((await sample(floor, "static", 100)).value);
 * ```
 */
export async function sample(
  contender: Contender,
  scenario: Scenario,
  n: number,
): Promise<Sample> {
  collectGarbage();
  switch (scenario) {
    case "static":
    case "lifecycle": {
      const cpu = cpuMillis();
      const start = performance.now();
      const stop = await contender.idle(n, scenario === "lifecycle");
      await stop();
      return { value: performance.now() - start, cpu: cpuMillis() - cpu };
    }
    case "churn": {
      const go = await contender.churn(n);
      const cpu = cpuMillis();
      const start = performance.now();
      await go();
      return { value: performance.now() - start, cpu: cpuMillis() - cpu };
    }
    case "heap": {
      collectGarbage();
      const before = retainedBytes();
      const stop = await contender.idle(n, false);
      collectGarbage();
      const after = retainedBytes();
      await stop();
      return { value: (after - before) / n };
    }
  }
}
