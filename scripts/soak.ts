/**
 * `deno task soak`: one million short-lived execute tasks through one running
 * TaskManager, with the heap sampled after a forced garbage collection every
 * tenth of the way. Fails (exit code 1) if the heap grows with the number of
 * finished tasks: from the sample at 25% to those at 50% and 100%, by more
 * than {@linkcode MAX_BYTES_PER_TASK} bytes per task finished in between
 * (never less than {@linkcode MIN_SLACK_BYTES}, the noise of a collected heap).
 *
 * Usage: deno run -A scripts/soak.ts [--tasks N] [--json] [--leak]
 * (also `node scripts/soak.ts`, `bun scripts/soak.ts`). Without a forced
 * collector (`--expose-gc`; Bun always has one) it runs itself again with one.
 * `--json` prints only the result, as one JSON line, for
 * `tests/soak_test.ts`, which runs a smaller soak on every runtime.
 *
 * `--leak` makes every task keep a small object alive for ever: a check that
 * the soak itself sees a leak of a few dozen bytes per task on this runtime.
 *
 * Half the tasks return a promise that resolves a microtask later, half return
 * at once; all are `ExecuteTaskType.Error`, for which returning is fine.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { setImmediate } from "node:timers";
import { fileURLToPath } from "node:url";
import { ExecuteTaskType, TaskManager } from "../mod.ts";

/** A leak of this many bytes per finished task fails the soak. */
export const MAX_BYTES_PER_TASK = 8;
/** Growth below this is noise, whatever the number of tasks. */
export const MIN_SLACK_BYTES = 1_048_576;
const BATCH = 1_000;

/** One heap sample. */
export interface Sample {
  finished: number;
  heapUsed: number;
}

/** What a soak measured. */
export interface SoakResult {
  runtime: string;
  tasks: number;
  seconds: number;
  samples: Sample[];
  /** Heap growth from the 25% sample to the 50% and 100% samples. */
  growth: { from25to50: number; from25to100: number };
  limit: { from25to50: number; from25to100: number };
  errors: number;
  leaked: boolean;
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const leak = args.includes("--leak");
const tasksArg = args.indexOf("--tasks");
const tasks = tasksArg === -1 ? 1_000_000 : Number(args[tasksArg + 1]);
if (!(Number.isInteger(tasks) && tasks >= 20 * BATCH && tasks % BATCH === 0)) {
  console.error(
    `--tasks must be a multiple of ${BATCH}, at least ${20 * BATCH}`,
  );
  process.exit(2);
}

const collect = forcedGc();
if (collect === undefined) {
  // Run again with a collector; the child prints the result.
  process.exit(await runAgainWithGc());
}

const result = await soak(tasks, collect!);
if (json) {
  console.log(JSON.stringify(result));
} else {
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(2);
  console.log(
    `${result.runtime}: ${result.tasks} tasks in ${
      result.seconds.toFixed(1)
    } s, ${result.errors} errors`,
  );
  for (const { finished, heapUsed } of result.samples) {
    console.log(`  after ${finished} tasks: heap ${mb(heapUsed)} MB`);
  }
  console.log(
    `  growth 25%->50%: ${mb(result.growth.from25to50)} MB (limit ${
      mb(result.limit.from25to50)
    }), 25%->100%: ${mb(result.growth.from25to100)} MB (limit ${
      mb(result.limit.from25to100)
    })`,
  );
  console.log(result.leaked ? "LEAK: the heap grew with the tasks" : "no leak");
}
process.exit(result.leaked || result.errors ? 1 : 0);

async function soak(total: number, gc: () => void): Promise<SoakResult> {
  const started = performance.now();
  const manager = new TaskManager();
  const caller = new AbortController();
  let ready!: () => void;
  const executing = new Promise<void>((resolve) => ready = resolve);
  manager.addExecuteTask("ready", () => ready(), ExecuteTaskType.Error);
  const done = manager.run(caller.signal);
  await executing;

  let finished = 0;
  const kept: { task: number }[] = [];
  const asyncTask = async () => {
    await null;
    if (leak) kept.push({ task: finished });
    finished++;
  };
  const syncTask = () => {
    if (leak) kept.push({ task: finished });
    finished++;
  };
  const samples: Sample[] = [];
  const sample = () => {
    gc();
    samples.push({ finished, heapUsed: process.memoryUsage().heapUsed });
  };
  const tenth = total / 10;
  for (let added = 0; added < total;) {
    for (let i = 0; i < BATCH; i++, added++) {
      manager.addExecuteTask(
        "job",
        added % 2 ? syncTask : asyncTask,
        ExecuteTaskType.Error,
      );
    }
    // Every task of the batch settles, and the manager sees it, in this turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (finished !== added) throw new Error(`${added - finished} tasks stuck`);
    if (added % tenth === 0 || added === total / 4) sample();
  }
  caller.abort();
  const errors = await done;

  const at = (fraction: number) =>
    samples.find((s) => s.finished === total * fraction)!.heapUsed;
  const growth = {
    from25to50: at(0.5) - at(0.25),
    from25to100: at(1) - at(0.25),
  };
  const limit = {
    from25to50: Math.max(MIN_SLACK_BYTES, MAX_BYTES_PER_TASK * total * 0.25),
    from25to100: Math.max(MIN_SLACK_BYTES, MAX_BYTES_PER_TASK * total * 0.75),
  };
  return {
    runtime: runtimeName(),
    tasks: total,
    seconds: (performance.now() - started) / 1000,
    samples,
    growth,
    limit,
    errors: errors.length,
    leaked: growth.from25to50 > limit.from25to50 ||
      growth.from25to100 > limit.from25to100,
  };
}

/** A full, synchronous garbage collection, if this process can force one. */
function forcedGc(): (() => void) | undefined {
  const g = globalThis as {
    gc?: () => void;
    Bun?: { gc(force: boolean): void };
  };
  if (g.Bun) return () => g.Bun!.gc(true);
  if (typeof g.gc === "function") {
    return () => {
      g.gc!();
      g.gc!();
    };
  }
  return undefined;
}

/**
 * Runs this script again, with the same arguments and output, on the same
 * runtime with `--expose-gc` (Bun, which always has `Bun.gc`, never gets here).
 * Resolves with the child's exit code.
 */
function runAgainWithGc(): Promise<number> {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const script = fileURLToPath(import.meta.url);
  const command = deno
    ? [deno.execPath(), "run", "-A", "--v8-flags=--expose-gc", script]
    : [process.execPath, "--expose-gc", script];
  const child = spawn(command[0], [...command.slice(1), ...args], {
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function runtimeName(): string {
  const g = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
  };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}
