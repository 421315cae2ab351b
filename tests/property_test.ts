/**
 * Property-based tests of the TaskManager: thousands of random programs of
 * tasks (every type; stages that return, throw any value, hang, or finish
 * after virtual delays and microtasks; execute tasks added before and during
 * the run; the caller aborting at random points; with and without
 * shutdownTimeout), each run on virtual time and checked event by event
 * against the model in `helpers/property_model.ts`. A quarter of them have
 * restart policies (`helpers/property_restart_program.ts`: small
 * backoffs, 0 included, jitter, small intensity limits, stages that fail a
 * few times, drainDelay, stop()); those are checked against the invariants
 * of `helpers/property_restarts.ts`, which also run on the others that
 * listen to events. The smallest program of each core bug they found runs
 * every time too (`helpers/property_regressions.ts`).
 *
 * A failure prints fast-check's seed and path and the shrunk program, with the
 * log of the run up to the violation. Replay it with
 * `PROPERTY_SEED=<seed> PROPERTY_PATH=<path>`; check more programs with
 * `PROPERTY_RUNS=<n>` (or `deno task fuzz`).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Coverage,
  DEFAULT_RUNS,
  programProperty,
  runParameters,
} from "./helpers/property_check.ts";
import { runProgram } from "./helpers/child.ts";
import { RejectionWatch } from "./helpers/property_leaks.ts";
import { MUTANTS } from "./helpers/property_mutants.ts";
import { REGRESSIONS } from "./helpers/property_regressions.ts";
import { runProgram as runOnVirtualTime } from "./helpers/property_harness.ts";
import { checkInvariants } from "./helpers/property_restarts.ts";

/** The seed of the programs the test command checks; fixed, so it is replayable. */
const SEED = 20_250_601;

const parameters = runParameters({ numRuns: DEFAULT_RUNS, seed: SEED });

test(`random programs keep every TaskManager guarantee (${parameters.numRuns} programs)`, async () => {
  const watch = new RejectionWatch();
  const coverage = new Coverage();
  watch.start();
  try {
    await fc.assert(programProperty(watch, coverage), parameters);
  } finally {
    watch.stop();
  }
  // A replay (PROPERTY_PATH) or a short run need not reach every case.
  if (parameters.path === undefined && parameters.numRuns! >= DEFAULT_RUNS) {
    assert.deepEqual(
      coverage.missing(),
      [],
      `the programs never reached these cases:\n${coverage.report()}`,
    );
  }
});

for (const mutant of MUTANTS) {
  test(`the property catches a manager that ${mutant.name}`, async () => {
    const watch = new RejectionWatch();
    await mutant.prepare?.();
    watch.start();
    let details;
    try {
      details = await fc.check(
        programProperty(watch, undefined, mutant.factory),
        {
          numRuns: 2_000,
          seed: SEED,
        },
      );
    } finally {
      watch.stop();
      await mutant.done?.();
    }
    assert.equal(details.failed, true, "no counterexample found");
    assert.match(String(details.errorInstance), mutant.expected);
    // What a developer sees: the seed to replay, and the shrunk program.
    const report = fc.defaultReportMessage(details) ?? "";
    assert.match(report, /seed: -?\d+, path: "[\d:]+"/);
    assert.match(report, /Counterexample: \[new TaskManager\(/);
  });
}

for (const { showed, program } of REGRESSIONS) {
  test(`a program that once showed a core bug keeps every invariant: ${showed}`, async () => {
    checkInvariants(await runOnVirtualTime(program));
  });
}

test("the unhandled-rejection watch sees a leaked rejection", async () => {
  const { code, stdout, stderr } = await runProgram(
    "tests/helpers/property_leak_probe.ts",
    { timeout: 60_000 },
  );
  assert.equal(code, 0, stderr.join("\n"));
  const line = stdout.at(-1)!;
  assert.deepEqual(JSON.parse(line), {
    clean: 0,
    leaked: ["deliberately leaked"],
  });
});
