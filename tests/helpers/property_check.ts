/**
 * The TaskManager property shared by `tests/property_test.ts` and
 * `scripts/fuzz.ts`: for every random program, run it on virtual time, check
 * the log against the model, and check that nothing was rejected unhandled.
 * Also counts what the programs exercised, so a test can make sure the
 * generator reaches every corner it is meant to.
 *
 * @module
 */

import fc from "fast-check";
import process from "node:process";
import { type ManagerFactory, runProgram } from "./property_harness.ts";
import type { RejectionWatch } from "./property_leaks.ts";
import {
  checkRun,
  type RunSummary,
  show,
  Violation,
} from "./property_model.ts";
import { checkInvariants, type InvariantSummary } from "./property_restarts.ts";
import type { Program } from "./property_program.ts";
import { programArb } from "./property_restart_program.ts";

/** How many programs the test command checks, unless PROPERTY_RUNS says. */
export const DEFAULT_RUNS = 10_000;

/** The property: every program keeps every guarantee. */
export function programProperty(
  watch: RejectionWatch,
  coverage?: Coverage,
  factory?: ManagerFactory,
): fc.IAsyncPropertyWithHooks<[Program]> {
  return fc.asyncProperty(programArb, async (program) => {
    watch.take();
    const run = await runProgram(program, factory);
    const leaked = watch.take();
    if (leaked.length) {
      throw new Violation(
        `${leaked.length} unhandled rejection(s): ${
          leaked.map(show).join(", ")
        }`,
      );
    }
    // Programs with restart policies: the invariants. goasync's programs:
    // the exact model, and the invariants too when events were listened to.
    const summary = program.kind === "restart" ? undefined : checkRun(run);
    const invariants = program.listen ? checkInvariants(run) : undefined;
    coverage?.add(summary, summary ? undefined : invariants);
  });
}

/** fast-check's run parameters, from PROPERTY_SEED, PROPERTY_PATH, PROPERTY_RUNS. */
export function runParameters(
  defaults: { numRuns: number; seed?: number },
): fc.Parameters<[Program]> {
  const env = process.env;
  const seed = env.PROPERTY_SEED ? Number(env.PROPERTY_SEED) : defaults.seed;
  return {
    numRuns: env.PROPERTY_RUNS ? Number(env.PROPERTY_RUNS) : defaults.numRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(env.PROPERTY_PATH
      ? { path: env.PROPERTY_PATH, endOnFailure: true }
      : {}),
  };
}

/** Counts of what the checked programs did. */
export class Coverage {
  readonly counts: Record<string, number> = {};

  add(summary?: RunSummary, invariants?: InvariantSummary): void {
    const bump = (key: string, by = 1) => {
      if (by > 0) this.counts[key] = (this.counts[key] ?? 0) + by;
    };
    bump("programs");
    if (invariants) {
      // In how many programs each thing happened.
      for (const key of Object.keys(invariants.counts)) {
        bump(`restart programs: ${key}`);
      }
    }
    if (summary === undefined) return bump("programs with restart policies");
    bump(summary.settled ? "settled" : "hung (legitimately)");
    if (summary.settled) {
      bump(summary.errors ? "settled with errors" : "settled without errors");
    }
    if (summary.stopKind) bump(`stopped by ${summary.stopKind}`);
    else bump("never stopped");
    bump("initialize timeouts", summary.timeouts.initialize);
    bump("execute timeouts", summary.timeouts.execute);
    bump("cleanup timeouts", summary.timeouts.cleanup);
    bump("unexpected stops", summary.unexpectedStops);
    bump("abort echoes ignored", summary.abortEchoes);
    bump("tasks started while running", summary.startedWhileRunning);
    bump("adds refused", summary.refusedAdds);
    bump("cleanups", summary.cleanups);
  }

  /** The kinds of run the generator is meant to reach and has not. */
  missing(): string[] {
    return [
      "settled with errors",
      "settled without errors",
      "hung (legitimately)",
      "stopped by caller",
      "stopped by failure",
      "stopped by strict-return",
      "stopped by stop-group",
      "never stopped",
      "initialize timeouts",
      "execute timeouts",
      "cleanup timeouts",
      "unexpected stops",
      "abort echoes ignored",
      "tasks started while running",
      "adds refused",
      "cleanups",
      "programs with restart policies",
      ...[
        "settled",
        "hung (legitimately)",
        "restarts",
        "restarts after a return",
        "zero-delay restarts",
        "jittered delays",
        "resetAfter resets",
        "event-loop yields",
        "escalations",
        "restart cleanup failures",
        "restart initialize failures",
        "restart cleanup failures after the stop",
        "restart initialize failures after the stop",
        "stops during a backoff wait",
        "drains",
        "restarts while draining",
        "stop() calls",
        "disposed by the harness",
        "bad options refused",
        "execute timeouts",
        "cleanup timeouts",
        "final cleanups",
        "tasks started while running",
      ].map((key) => `restart programs: ${key}`),
    ].filter((key) => !this.counts[key]);
  }

  /** One line per count. */
  report(): string {
    return Object.entries(this.counts)
      .map(([key, count]) => `  ${key}: ${count}`)
      .join("\n");
  }
}
