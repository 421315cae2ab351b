/**
 * DESIGN.md's restart arithmetic, written out again from the text for the
 * property checker (`property_restarts.ts`): a task's options with their
 * defaults, and, after each failure, whether it is restarted and within
 * which bounds its delay must fall.
 *
 * @module
 */

import type { RestartSpec, TaskSpec } from "./property_program.ts";

/** A restart policy with every default filled in. */
export interface RestartConfig {
  permanent: boolean;
  initial: number;
  max: number;
  factor: number;
  jitter: number;
  resetAfter: number;
  maxRestarts: number;
  within: number;
}

/**
 * The options of `spec` as the manager must read them: a config, `temporary`
 * (undefined), or `refused` when `addTask` must throw a TypeError (an
 * `initial` above `max` as given; a `permanent` stop-group task).
 */
export function resolveRestart(
  spec: TaskSpec,
): RestartConfig | undefined | "refused" {
  const restart: RestartSpec | undefined = spec.restart;
  if (restart === undefined) return undefined;
  if (restart.policy === "permanent" && spec.type === "stop-group") {
    return "refused";
  }
  const backoff = restart.backoff ?? {};
  const intensity = restart.intensity ?? {};
  const max = backoff.max ?? 30_000;
  const initial = backoff.initial ?? Math.min(100, max);
  if (initial > max) return "refused";
  return {
    permanent: restart.policy === "permanent",
    initial,
    max,
    factor: backoff.factor ?? 2,
    jitter: backoff.jitter ?? 0.2,
    resetAfter: backoff.resetAfter ?? max,
    maxRestarts: intensity.maxRestarts ?? 5,
    within: intensity.within ?? 60_000,
  };
}

/** What a failure leads to. */
export type Decision =
  /** A restart whose delay must lie in [min, full]. */
  | { restart: true; full: number; min: number; reset: boolean }
  /** No restart: more than `maxRestarts` within the window. */
  | { restart: false; recent: number };

/**
 * One task's restarts so far: rule 3 (the n-th restart in a row waits
 * d = min(max, initial × factor^(n−1)), drawn from [d(1 − jitter), d]; n
 * goes back to 1 after an attempt whose execute ran `resetAfter` ms) and
 * rule 4 (no more than `maxRestarts` restarts within the last `within` ms,
 * each dated at the failure that caused it).
 */
export class RestartLedger {
  readonly config: RestartConfig;
  /** When each restart was decided. */
  readonly times: number[] = [];
  /** When the current attempt's execute started, if it did. */
  startedAt: number | undefined = undefined;
  #inARow = 0;

  constructor(config: RestartConfig) {
    this.config = config;
  }

  /** Restarts decided within the window that ends at `now`. */
  recent(now: number): number {
    const { within } = this.config;
    return this.times.filter((time) => !(time <= now - within)).length;
  }

  /** Decides the restart after a failure at `now`. */
  decide(now: number): Decision {
    const startedAt = this.startedAt;
    this.startedAt = undefined;
    const { maxRestarts, resetAfter, initial, factor, max, jitter } =
      this.config;
    const recent = this.recent(now);
    if (recent + 1 > maxRestarts) return { restart: false, recent };
    this.times.push(now);
    const reset = startedAt !== undefined && now - startedAt >= resetAfter;
    if (reset) this.#inARow = 0;
    this.#inARow++;
    // 0 × factor^n stays 0 when factor^n overflows to Infinity.
    const full = initial === 0
      ? 0
      : Math.min(max, initial * factor ** (this.#inARow - 1));
    return { restart: true, full, min: full - jitter * full, reset };
  }
}
