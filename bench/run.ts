/**
 * The benchmark harness, as `deno task bench` runs it: installs the peers if
 * needed, runs every scenario on Deno, Node 24 and Bun (one child process per
 * runtime and scenario, see worker.ts), and writes BENCH.md and
 * bench/results.json.
 *
 * Usage: deno run -A bench/run.ts [--quick] [--write | --no-write]
 *   [--runtimes deno,node,bun] [--scenarios static,churn,lifecycle,heap]
 *   [--contenders floor,goasync,effection,effect] [--sizes 10000,100000]
 *   [--rounds 5] [--warmup 2] [--from raw-samples.json]
 *
 * `--from` renders the tables again from the raw samples a run saved (its
 * path is printed at the start), without measuring anything.
 *
 * A full run writes the files; a partial one (`--quick` or any filter) only
 * prints the tables unless `--write` is given.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { WorkerResult } from "./lib/worker_result.ts";
import { rows, RUNTIMES, scaling, targets } from "./lib/analysis.ts";
import { render, type Results } from "./lib/report.ts";
import { SCENARIOS } from "./lib/scenarios.ts";
import { exists, pinnedRuntime } from "../scripts/runtimes.ts";

const SIZES = "10000,100000,200000";
const QUICK_SIZES = "10000,20000";
/** Effection takes 50-100 µs a task; five rounds of it would take ~25 min. */
const ROUNDS_FOR = ["effection=3"];
/** A guard against a hung child, far above any real run. */
const CHILD_TIMEOUT_MS = 30 * 60_000;

const bench = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    write: { type: "boolean" },
    runtimes: { type: "string" },
    scenarios: { type: "string" },
    contenders: { type: "string" },
    sizes: { type: "string" },
    rounds: { type: "string" },
    warmup: { type: "string" },
    from: { type: "string" },
  },
});
const partial = flags.quick ||
  [flags.runtimes, flags.scenarios, flags.contenders, flags.sizes, flags.rounds]
    .some((f) => f !== undefined);
const write = flags.write ?? !partial;
const sizes = flags.sizes ?? (flags.quick ? QUICK_SIZES : SIZES);
const rounds = flags.rounds ?? (flags.quick ? "3" : "5");
const warmup = flags.warmup ?? "2";
const runtimeNames = (flags.runtimes ?? RUNTIMES.join(",")).split(",");
const scenarios = (flags.scenarios ?? SCENARIOS.join(",")).split(",");

async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, success } = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : "";
  } catch {
    return "";
  }
}

/** Installs bench/'s pinned peers unless those exact versions are there. */
async function ensurePeers(): Promise<Record<string, string>> {
  const manifest = JSON.parse(
    await Deno.readTextFile(`${bench}package.json`),
  );
  const wanted = manifest.devDependencies as Record<string, string>;
  const installed = async (name: string) => {
    const path = `${bench}node_modules/${name}/package.json`;
    if (!await exists(path)) return undefined;
    return JSON.parse(await Deno.readTextFile(path)).version as string;
  };
  let stale = false;
  for (const [name, version] of Object.entries(wanted)) {
    if (await installed(name) !== version) stale = true;
  }
  if (stale) {
    console.error("installing the peers: npm ci in bench/");
    const { success } = await new Deno.Command("npm", {
      args: ["ci", "--no-audit", "--no-fund"],
      cwd: bench,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!success) throw new Error("npm ci in bench/ failed");
  }
  return wanted;
}

/** The command that starts worker.ts on a runtime, with GC exposed. */
async function workerCommand(runtime: string): Promise<string[]> {
  if (runtime === "deno") {
    return [Deno.execPath(), "run", "-A", "--v8-flags=--expose-gc"];
  }
  if (runtime === "node") {
    return [...await pinnedRuntime("node"), "--expose-gc"];
  }
  if (runtime === "bun") return pinnedRuntime("bun");
  throw new Error(`unknown runtime ${runtime}`);
}

/** Runs one worker; its stderr (progress) passes through, stdout is parsed. */
async function runWorker(
  command: string[],
  scenario: string,
  options: string[] = [
    "--sizes",
    sizes,
    "--rounds",
    rounds,
    "--warmup",
    warmup,
    ...ROUNDS_FOR.flatMap((spec) => ["--rounds-for", spec]),
    ...(flags.contenders ? ["--contenders", flags.contenders] : []),
  ],
): Promise<WorkerResult> {
  const args = [
    ...command.slice(1),
    "worker.ts",
    "--scenario",
    scenario,
    ...options,
  ];
  const child = new Deno.Command(command[0], {
    args,
    cwd: bench,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
  const { stdout, code } = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(stdout).trim();
  if (code !== 0) {
    throw new Error(
      `worker failed (exit ${code}): ${command.join(" ")} ${scenario}\n${text}`,
    );
  }
  return JSON.parse(text.split("\n").at(-1)!);
}

/**
 * Bun's heap figure is its RSS growth, which freed pages of earlier samples
 * blur: so each Bun heap sample gets a fresh process (no warm-up: a warm-up
 * would leave freed pages behind too), in the same rotating order.
 */
async function runIsolatedHeap(command: string[]): Promise<WorkerResult> {
  const names = (flags.contenders ?? "floor,goasync,effection,effect")
    .split(",");
  const roundsOf = (name: string) =>
    Number(
      ROUNDS_FOR.find((spec) => spec.startsWith(`${name}=`))?.split("=")[1] ??
        rounds,
    );
  const most = Math.max(...names.map(roundsOf));
  let merged: WorkerResult | undefined;
  for (let round = 0; round < most; round++) {
    const shift = round % names.length;
    const order = [...names.slice(shift), ...names.slice(0, shift)];
    for (const n of sizes.split(",")) {
      for (const name of order.filter((c) => round < roundsOf(c))) {
        const one = await runWorker(command, "heap", [
          "--sizes",
          n,
          "--contenders",
          name,
          "--rounds",
          "1",
          "--warmup",
          "0",
        ]);
        merged ??= {
          ...one,
          sizes: sizes.split(",").map(Number),
          warmup: 0,
          rounds: Object.fromEntries(names.map((c) => [c, roundsOf(c)])),
          samples: {},
          cpuSamples: {},
          seconds: 0,
        };
        ((merged.samples[name] ??= {})[n] ??= []).push(...one.samples[name][n]);
        merged.seconds += one.seconds;
      }
    }
  }
  return merged!;
}

async function machine(): Promise<Results["machine"]> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const kb = Number(meminfo.match(/MemTotal:\s+(\d+)/)?.[1] ?? NaN);
  return {
    cpus: Number(await output("nproc", [])) || navigator.hardwareConcurrency,
    cpuModel: cpuinfo.match(/model name\s*:\s*(.+)/)?.[1]?.trim() ??
      "unknown",
    memoryGiB: Math.round(kb / 1024 / 1024),
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
  };
}

/** The settings the workers actually ran with. */
function settingsOf(workers: WorkerResult[]): Results["settings"] {
  const first = workers[0];
  const most = Math.max(...Object.values(first.rounds));
  return {
    sizes: first.sizes,
    rounds: most,
    roundsFor: Object.fromEntries(
      Object.entries(first.rounds).filter(([, k]) => k !== most),
    ),
    warmup: first.warmup,
  };
}

async function main() {
  const began = performance.now();
  const peers = await ensurePeers();
  let workers: WorkerResult[] = [];
  let runtimes: Results["runtimes"] = {};
  let seconds = 0;
  let finished = "";
  if (flags.from !== undefined) {
    ({ workers, runtimes, seconds, finished } = JSON.parse(
      await Deno.readTextFile(flags.from),
    ));
    finished ??= (await Deno.stat(flags.from)).mtime!.toISOString();
  }
  // Raw samples are saved as they come, so a late failure loses nothing.
  const raw = flags.from ?? await Deno.makeTempFile({
    prefix: "goasync-bench-",
    suffix: ".json",
  });
  if (flags.from === undefined) {
    console.error(`raw samples go to ${raw} as they arrive`);
  }
  for (const runtime of flags.from === undefined ? runtimeNames : []) {
    const command = await workerCommand(runtime);
    for (const scenario of scenarios) {
      console.error(`${runtime} ${scenario}: ${command.join(" ")} worker.ts`);
      const result = runtime === "bun" && scenario === "heap"
        ? await runIsolatedHeap(command)
        : await runWorker(command, scenario);
      workers.push(result);
      runtimes[runtime] = { version: result.version, command };
      seconds = (performance.now() - began) / 1000;
      finished = new Date().toISOString();
      await Deno.writeTextFile(
        raw,
        JSON.stringify({ workers, runtimes, seconds, finished }),
      );
      console.error(
        `${runtime} ${scenario}: ${result.seconds.toFixed(1)} s`,
      );
    }
  }
  const allRows = rows(workers);
  const growth = scaling(allRows);
  const results: Results = {
    generated: finished.replace(/\.\d+Z$/, "Z"),
    harnessSeconds: flags.from === undefined
      ? (performance.now() - began) / 1000
      : seconds,
    quick: workers[0]?.sizes.join() === QUICK_SIZES,
    machine: await machine(),
    runtimes,
    peers,
    settings: settingsOf(workers),
    retainedBytesSource: Object.fromEntries(
      workers.map((w) => [w.runtime, w.retainedBytesSource]),
    ),
    rows: allRows,
    scaling: growth,
    targets: targets(allRows, growth),
  };
  const findings = await Deno.readTextFile(`${bench}findings.md`)
    .catch(() => "(no bench/findings.md)");
  const markdown = render(results, findings);
  if (write) {
    // `deno task bench:http` owns its own section of BENCH.md: keep it.
    const previous = await Deno.readTextFile(`${root}BENCH.md`).catch(() => "");
    const http = previous.match(
      /<!-- http-load:begin -->[\s\S]*<!-- http-load:end -->\n?/,
    );
    await Deno.writeTextFile(
      `${root}BENCH.md`,
      http ? `${markdown.trimEnd()}\n\n${http[0]}` : markdown,
    );
    await Deno.writeTextFile(
      `${bench}results.json`,
      JSON.stringify({ ...results, workers }, null, 2) + "\n",
    );
    console.error("wrote BENCH.md and bench/results.json");
  } else {
    console.log(markdown);
  }
  console.error(
    `harness took ${(results.harnessSeconds / 60).toFixed(1)} minutes`,
  );
}

await main();
