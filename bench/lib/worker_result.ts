/**
 * What one worker process reports: the line it prints, which the harness
 * parses, keeps in bench/results.json and turns into the tables.
 *
 * @module
 */

import type { Scenario } from "./scenarios.ts";

/**
 * The raw samples of one scenario on one runtime.
 *
 * @example
 * ```ts
 * import type { WorkerResult } from "./worker_result.ts";
 *
 * const line = '{"samples":{"floor":{"10000":[12.5]}}}';
 * const result = JSON.parse(line) as Pick<WorkerResult, "samples">;
 * console.log(result.samples.floor["10000"][0]); // 12.5
 * ```
 */
export interface WorkerResult {
  /** "deno", "node" or "bun". */
  runtime: string;
  /** The runtime's own version. */
  version: string;
  /** Which scenario was measured. */
  scenario: Scenario;
  /** Whether a full garbage collection could be forced before each sample. */
  forcedGc: boolean;
  /** How the heap scenario read retained bytes on this runtime. */
  retainedBytesSource: string;
  /** The task counts measured, smallest first. */
  sizes: number[];
  /** Untimed runs per contender at the smallest size before measuring. */
  warmup: number;
  /** Measured rounds per contender. */
  rounds: Record<string, number>;
  /** Wall ms (bytes per task for heap), by contender, then by size. */
  samples: Record<string, Record<string, number[]>>;
  /** CPU ms of the same samples, by contender, then by size; empty for heap. */
  cpuSamples: Record<string, Record<string, number[]>>;
  /** How long the worker took, in seconds. */
  seconds: number;
}
