/**
 * `deno task fuzz`: checks 100,000 random programs against the TaskManager's
 * guarantees, the same property as `tests/property_test.ts` (which checks
 * 10,000 with a fixed seed), with a new seed each time unless told. A
 * quarter of the programs have restart policies.
 *
 * Usage: deno run -A scripts/fuzz.ts [--runs N] [--seed S] [--path P]
 * (also runs on Node.js 24 and Bun: `node scripts/fuzz.ts`, `bun scripts/fuzz.ts`).
 *
 * Prints the seed first, progress every 10,000 programs, and at the end what
 * the programs exercised. On a failure it prints fast-check's report (seed,
 * path, the shrunk program and the log of its run) and exits with code 1;
 * replay it with `--seed S --path P`.
 *
 * @module
 */

import fc from "fast-check";
import process from "node:process";
import { Coverage, programProperty } from "../tests/helpers/property_check.ts";
import { RejectionWatch } from "../tests/helpers/property_leaks.ts";
import type { RunSummary } from "../tests/helpers/property_model.ts";
import type { InvariantSummary } from "../tests/helpers/property_restarts.ts";

const options = parseArgs(process.argv.slice(2));
const runs = Number(options.runs ?? 100_000);
const seed = options.seed === undefined
  ? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0
  : Number(options.seed);

/** Coverage that also reports progress. */
class Progress extends Coverage {
  readonly #started = performance.now();

  override add(summary?: RunSummary, invariants?: InvariantSummary): void {
    super.add(summary, invariants);
    const done = this.counts.programs;
    if (done % 10_000 === 0) {
      const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
      console.log(`  ${done} programs checked (${seconds} s)`);
    }
  }
}

console.log(`fuzzing the TaskManager: ${runs} programs, seed ${seed}`);
const watch = new RejectionWatch();
const coverage = new Progress();
watch.start();
const details = await fc.check(programProperty(watch, coverage), {
  numRuns: runs,
  seed,
  ...(options.path ? { path: options.path, endOnFailure: true } : {}),
});
watch.stop();

if (details.failed) {
  console.error(fc.defaultReportMessage(details));
  process.exit(1);
}
console.log(`all ${details.numRuns} programs kept every guarantee`);
console.log(coverage.report());
const missing = coverage.missing();
if (missing.length) console.log(`never reached: ${missing.join(", ")}`);

function parseArgs(args: string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--(runs|seed|path)(?:=(.*))?$/.exec(args[i]);
    if (!match) {
      console.error(`unknown argument ${args[i]}; use --runs, --seed, --path`);
      process.exit(2);
    }
    parsed[match[1]] = match[2] ?? args[++i];
  }
  return parsed;
}
