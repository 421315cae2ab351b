/**
 * How fast the manager restarts a task: one task that fails 10,000 times in
 * a row with zero backoff (each failure a synchronous throw), then returns
 * and ends the run. Prints restarts per second, the median of 7 rounds after
 * 2 warm-up rounds, on the runtime that runs it.
 *
 * Usage: deno run -A bench/restarts.ts | node bench/restarts.ts | bun bench/restarts.ts
 * (`deno task bench:restarts` runs it on all three.)
 *
 * @module
 */

import { TaskManager } from "../mod.ts";

const FAILURES = 10_000;
const WARMUP = 2;
const ROUNDS = 7;

/** Milliseconds for one run of FAILURES restarts. */
async function round(): Promise<number> {
  const manager = new TaskManager();
  let attempts = 0;
  const failure = new Error("down");
  manager.addTask("flaky", () => {
    if (++attempts <= FAILURES) throw failure;
  }, {
    type: "stop-group",
    restart: "transient",
    backoff: { initial: 0 },
    intensity: { maxRestarts: Infinity },
  });
  const start = performance.now();
  const errors = await manager.run();
  const elapsed = performance.now() - start;
  const [task] = manager.snapshot().tasks;
  if (errors.length > 0 || task.restarts !== FAILURES) {
    throw new Error(
      `wrong run: ${errors.length} errors, ${task.restarts} restarts`,
    );
  }
  return elapsed;
}

const runtime = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";
for (let i = 0; i < WARMUP; i++) await round();
const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) times.push(await round());
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({
  runtime,
  restarts: FAILURES,
  medianMs: Number(median.toFixed(1)),
  restartsPerSecond: Math.round(FAILURES / (median / 1000)),
  minMs: Number(times[0].toFixed(1)),
  maxMs: Number(times[times.length - 1].toFixed(1)),
}));
