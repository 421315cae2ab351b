/**
 * One benchmark process: runs one scenario for every contender and size on
 * the runtime it was started with, and prints the samples as one JSON line.
 * `run.ts` starts one per runtime and scenario; run it alone to try one:
 *
 *     deno run -A --v8-flags=--expose-gc bench/worker.ts --scenario static
 *     node --expose-gc bench/worker.ts --scenario churn --sizes 10000
 *
 * Warm-up runs every contender at the smallest size, untimed, so the JIT has
 * compiled the hot paths. Then rounds interleave the contenders (in a
 * rotating order) and the sizes, so that a noisy moment on a shared machine
 * hits them all alike, and every ratio compares samples taken in the same
 * process. `--rounds-for name=k` gives one contender fewer rounds (the
 * harness does this for Effection, which is 10-50 times slower than the
 * rest and would otherwise take most of the time budget).
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { CONTENDERS } from "./impl/all.ts";
import {
  collectGarbage,
  RETAINED_BYTES_SOURCE,
  runtimeName,
  runtimeVersion,
} from "./lib/platform.ts";
import { sample, type Scenario, SCENARIOS } from "./lib/scenarios.ts";
import type { WorkerResult } from "./lib/worker_result.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    scenario: { type: "string", default: "static" },
    sizes: { type: "string", default: "10000,100000,200000" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    "rounds-for": { type: "string", multiple: true, default: [] },
    contenders: { type: "string", default: Object.keys(CONTENDERS).join(",") },
  },
});

const scenario = values.scenario as Scenario;
if (!SCENARIOS.includes(scenario)) {
  throw new Error(`unknown scenario ${scenario}`);
}
const sizes = values.sizes.split(",").map(Number);
const warmup = Number(values.warmup);
const names = values.contenders.split(",");
const rounds: Record<string, number> = {};
for (const name of names) {
  if (!CONTENDERS[name]) throw new Error(`unknown contender ${name}`);
  rounds[name] = Number(values.rounds);
}
for (const spec of values["rounds-for"]) {
  const [name, count] = spec.split("=");
  if (name in rounds) rounds[name] = Number(count);
}
const mostRounds = Math.max(...Object.values(rounds));

const began = performance.now();
const samples: WorkerResult["samples"] = {};
const cpuSamples: WorkerResult["cpuSamples"] = {};
for (const name of names) {
  samples[name] = Object.fromEntries(sizes.map((n) => [n, []]));
  cpuSamples[name] = Object.fromEntries(sizes.map((n) => [n, []]));
}

/** Lets timers and callbacks a contender left behind run before the next. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

for (let i = 0; i < warmup; i++) {
  for (const name of names) {
    await sample(CONTENDERS[name], scenario, Math.min(...sizes));
    await settle();
  }
}
for (let round = 0; round < mostRounds; round++) {
  const shift = round % names.length;
  const order = [...names.slice(shift), ...names.slice(0, shift)]
    .filter((name) => round < rounds[name]);
  for (const n of sizes) {
    for (const name of order) {
      const { value, cpu } = await sample(CONTENDERS[name], scenario, n);
      samples[name][n].push(value);
      if (cpu !== undefined) cpuSamples[name][n].push(cpu);
      await settle();
    }
  }
  process.stderr.write(
    `  ${runtimeName()} ${scenario}: round ${round + 1}/${mostRounds} done\n`,
  );
}

const result: WorkerResult = {
  runtime: runtimeName(),
  version: runtimeVersion(),
  scenario,
  forcedGc: collectGarbage(),
  retainedBytesSource: RETAINED_BYTES_SOURCE[runtimeName()],
  sizes,
  warmup,
  rounds,
  samples,
  cpuSamples,
  seconds: (performance.now() - began) / 1000,
};
process.stdout.write(JSON.stringify(result) + "\n");
