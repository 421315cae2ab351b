/**
 * Turns the workers' raw samples into medians, ratios and the verdict on
 * each target. Pure functions: the report and the JSON are both built from
 * what these return.
 *
 * @module
 */

import type { WorkerResult } from "./worker_result.ts";
import { type Scenario, SCENARIOS, UNITS } from "./scenarios.ts";
import { median, ratio } from "./stats.ts";

export type { Scenario, WorkerResult };

/** The runtimes in report order. */
export const RUNTIMES = ["deno", "node", "bun"] as const;

/**
 * One row of a scenario table: one runtime at one size.
 *
 * @example
 * ```ts
 * import { type Row, rows } from "./analysis.ts";
 *
 * const none: Row[] = rows([]);
 * ```
 */
export interface Row {
  /** The scenario. */
  scenario: Scenario;
  /** "deno", "node" or "bun". */
  runtime: string;
  /** How many tasks. */
  n: number;
  /** "ms" or "bytes/task". */
  unit: string;
  /** Median per contender. */
  median: Record<string, number>;
  /** How many samples each median is of. */
  samples: Record<string, number>;
  /** goasync ÷ floor: 1.2 means goasync took 20% longer (or more bytes). */
  goasyncToFloor: number;
  /** Median CPU ms per contender (timed scenarios only). */
  cpuMedian: Record<string, number>;
  /** goasync ÷ floor in CPU time: far less moved by other load. */
  cpuGoasyncToFloor: number;
  /** Effection ÷ goasync: 3 means Effection took three times as long. */
  effectionToGoasync: number;
  /** Effect ÷ goasync. */
  effectToGoasync: number;
}

/**
 * Median at the largest size over the median at the one before it.
 *
 * @example
 * ```ts
 * import { type Scaling, scaling } from "./analysis.ts";
 *
 * const none: Scaling[] = scaling([]);
 * ```
 */
export interface Scaling {
  /** The scenario (timed ones only). */
  scenario: Scenario;
  /** "deno", "node" or "bun". */
  runtime: string;
  /** The smaller size. */
  from: number;
  /** The larger size. */
  to: number;
  /** Median at `to` ÷ median at `from`, per contender. */
  ratio: Record<string, number>;
}

/**
 * One target from the issue and how it fared on each runtime.
 *
 * @example
 * ```ts
 * import { type Target, targets } from "./analysis.ts";
 *
 * const all: Target[] = targets([], []);
 * ```
 */
export interface Target {
  /** A short key: static, lifecycle, scaling, churn, heap, effection, effect. */
  id: string;
  /** The target as the issue states it. */
  text: string;
  /** The figure that decides it, per runtime (worst case over the sizes). */
  measured: Record<string, number>;
  /** What the figure is, e.g. "goasync/floor, worst N". */
  measure: string;
  /** Per runtime; a runtime not measured is left out. */
  held: Record<string, boolean>;
  /** The same figure in CPU time, where it has one (for reference only). */
  cpu?: Record<string, number>;
}

/**
 * One row per scenario, runtime and size.
 *
 * @example
 * ```ts
 * import { rows } from "./analysis.ts";
 *
 * console.log(rows([])); // []
 * ```
 */
export function rows(workers: readonly WorkerResult[]): Row[] {
  const out: Row[] = [];
  for (const scenario of SCENARIOS) {
    for (const runtime of RUNTIMES) {
      const worker = workers.find((w) =>
        w.scenario === scenario && w.runtime === runtime
      );
      if (!worker) continue;
      for (const n of worker.sizes) {
        const med: Record<string, number> = {};
        const cpu: Record<string, number> = {};
        const count: Record<string, number> = {};
        for (const [name, bySize] of Object.entries(worker.samples)) {
          med[name] = median(bySize[n] ?? []);
          cpu[name] = median(worker.cpuSamples?.[name]?.[n] ?? []);
          count[name] = bySize[n]?.length ?? 0;
        }
        out.push({
          scenario,
          runtime,
          n,
          unit: UNITS[scenario],
          median: med,
          samples: count,
          goasyncToFloor: ratio(med.goasync, med.floor),
          cpuMedian: cpu,
          cpuGoasyncToFloor: ratio(cpu.goasync, cpu.floor),
          effectionToGoasync: ratio(med.effection, med.goasync),
          effectToGoasync: ratio(med.effect, med.goasync),
        });
      }
    }
  }
  return out;
}

/**
 * For each timed scenario and runtime, how the median grew from the
 * second-largest size to the largest (2.0 is linear for 100k → 200k).
 *
 * @example
 * ```ts
 * import { scaling } from "./analysis.ts";
 *
 * console.log(scaling([])); // []
 * ```
 */
export function scaling(all: readonly Row[]): Scaling[] {
  const out: Scaling[] = [];
  for (const scenario of SCENARIOS) {
    if (scenario === "heap") continue;
    for (const runtime of RUNTIMES) {
      const mine = all.filter((r) =>
        r.scenario === scenario && r.runtime === runtime
      ).sort((a, b) => a.n - b.n);
      if (mine.length < 2) continue;
      const [small, large] = mine.slice(-2);
      const growth: Record<string, number> = {};
      for (const name of Object.keys(large.median)) {
        growth[name] = ratio(large.median[name], small.median[name]);
      }
      out.push({
        scenario,
        runtime,
        from: small.n,
        to: large.n,
        ratio: growth,
      });
    }
  }
  return out;
}

/** 200000 → "200k". */
function kilo(n: number | undefined): string {
  return n === undefined ? "?" : `${n / 1000}k`;
}

/** The worst (largest) of some figures; NaN when there are none. */
function worst(values: number[]): number {
  const real = values.filter((v) => !Number.isNaN(v));
  return real.length ? Math.max(...real) : NaN;
}

/** The best (smallest) of some figures; NaN when there are none. */
function least(values: number[]): number {
  const real = values.filter((v) => !Number.isNaN(v));
  return real.length ? Math.min(...real) : NaN;
}

/**
 * The targets, each judged per runtime from the same run's ratios.
 *
 * @example
 * ```ts
 * import { targets } from "./analysis.ts";
 *
 * console.log(targets([], []).length); // 7
 * ```
 */
export function targets(
  all: readonly Row[],
  growth: readonly Scaling[],
): Target[] {
  const per = (
    pick: (runtime: string) => number,
    pass: (value: number) => boolean,
  ) => {
    const measured: Record<string, number> = {};
    const held: Record<string, boolean> = {};
    for (const runtime of RUNTIMES) {
      const value = pick(runtime);
      if (Number.isNaN(value)) continue;
      measured[runtime] = value;
      held[runtime] = pass(value);
    }
    return { measured, held };
  };
  const of = (runtime: string, scenario?: Scenario) =>
    all.filter((r) =>
      r.runtime === runtime &&
      (scenario === undefined ? true : r.scenario === scenario)
    );
  const floorTarget = (id: string, scenario: Scenario, text: string) => ({
    id,
    text,
    measure: "goasync ÷ floor, worst size",
    ...per(
      (rt) => worst(of(rt, scenario).map((r) => r.goasyncToFloor)),
      (v) => v <= 1.5,
    ),
    ...(scenario === "heap" ? {} : {
      cpu: Object.fromEntries(
        RUNTIMES.map((rt) =>
          [rt, worst(of(rt, scenario).map((r) => r.cpuGoasyncToFloor))] as const
        ).filter(([, v]) => !Number.isNaN(v)),
      ),
    }),
  });
  const churn100k = (runtime: string) =>
    all.find((r) =>
      r.runtime === runtime && r.scenario === "churn" && r.n === 100_000
    )?.median.goasync ?? NaN;
  return [
    floorTarget("static", "static", "static within 1.5× the floor"),
    floorTarget("lifecycle", "lifecycle", "lifecycle within 1.5× the floor"),
    {
      id: "scaling",
      text: "200k / 100k time within 2.3× (static, churn, lifecycle)",
      measure: `goasync time at ${kilo(growth[0]?.to)} ÷ at ${
        kilo(growth[0]?.from)
      }, worst scenario`,
      ...per(
        (rt) =>
          worst(
            growth.filter((g) => g.runtime === rt && g.to === 2 * g.from)
              .map((g) => g.ratio.goasync),
          ),
        (v) => v <= 2.3,
      ),
    },
    {
      id: "churn",
      text: "churn of 100,000 tasks under 1 s on Node 24",
      measure: "goasync churn median at 100k, ms",
      ...per(
        (rt) => rt === "node" ? churn100k(rt) : NaN,
        (v) => v < 1000,
      ),
    },
    floorTarget("heap", "heap", "heap per task within 1.5× the floor"),
    {
      id: "effection",
      text: "faster than Effection in every scenario (heap: smaller)",
      measure: "Effection ÷ goasync, least over scenarios and sizes",
      ...per(
        (rt) => least(of(rt).map((r) => r.effectionToGoasync)),
        (v) => v > 1,
      ),
    },
    {
      id: "effect",
      text: "faster than Effect in every scenario (heap: smaller)",
      measure: "Effect ÷ goasync, least over scenarios and sizes",
      ...per(
        (rt) => least(of(rt).map((r) => r.effectToGoasync)),
        (v) => v > 1,
      ),
    },
  ];
}
