/**
 * The only statistics the benchmarks need: medians and ratios of medians.
 *
 * @module
 */

/**
 * The median of some samples (the mean of the middle two for an even count).
 *
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 *
 * console.log(median([3, 1, 2])); // 2
 * ```
 */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `a / b`, or `NaN` when either is missing or `b` is not positive.
 *
 * @example
 * ```ts
 * import { ratio } from "./stats.ts";
 *
 * console.log(ratio(3, 2)); // 1.5
 * ```
 */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !(b > 0)) return NaN;
  return a / b;
}
