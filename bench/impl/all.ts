/**
 * Every contender by name, in the order the tables show them.
 *
 * @module
 */

import { effect } from "./effect.ts";
import { effection } from "./effection.ts";
import { floor } from "./floor.ts";
import { goasync } from "./goasync.ts";
import type { Contender } from "./types.ts";

/**
 * The contenders, keyed by name.
 *
 * @example
 * ```ts
 * import { CONTENDERS } from "./all.ts";
 *
 * console.log(Object.keys(CONTENDERS)); // floor, goasync, effection, effect
 * ```
 */
export const CONTENDERS: Readonly<Record<string, Contender>> = {
  floor,
  goasync,
  effection,
  effect,
};
