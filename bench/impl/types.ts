/**
 * The shape every contender (the floor, goasync, Effection, Effect) takes, so
 * the worker can time them all the same way.
 *
 * @module
 */

/** Stops a group of running tasks; resolves once every one has stopped. */
export type Stop = () => Promise<void>;

/**
 * One contender. Each one checks its own work (every task started, every
 * cleanup ran) and throws if it was not all done, so no figure comes from a
 * run that skipped work.
 *
 * @example
 * ```ts
 * import type { Contender } from "./types.ts";
 *
 * const nothing: Contender = {
 *   name: "nothing",
 *   idle: () => Promise.resolve(() => Promise.resolve()),
 *   churn: () => Promise.resolve(() => Promise.resolve()),
 * };
 * ```
 */
export interface Contender {
  /** The name in the tables. */
  readonly name: string;
  /**
   * Starts `n` tasks that each wait until they are told to stop; with
   * `lifecycle`, each also has an initialize stage (run one at a time, in
   * order, before any executes) and a cleanup stage (after all have stopped).
   * Resolves once every task is running, with the function that stops them.
   */
  idle(n: number, lifecycle: boolean): Promise<Stop>;
  /**
   * Prepares a running group with no tasks; resolves with a function that adds
   * `n` tasks to it, each finishing at once, waits until all have finished,
   * then stops the group. Only that function is timed.
   */
  churn(n: number): Promise<() => Promise<void>>;
}
