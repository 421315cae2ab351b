/**
 * The demo service: everything `@goasync/core` offers, in one small program.
 *
 * - an HTTP server (a web-standard handler on `Deno.serve`, `Bun.serve` or
 *   `node:http`) that drains in-flight requests on shutdown;
 * - a background worker that finishes the jobs it accepted;
 * - a `repeatTimer` job that reports statistics;
 * - a configuration that SIGHUP reloads, through `interruptible`;
 * - all under `runMain`: Ctrl-C or SIGTERM shuts it down gracefully.
 *
 * Run it: deno task demo, or deno run -A examples/demo/main.ts [--port N],
 * or node / bun examples/demo/main.ts [--port N]. Then try:
 *
 *   curl localhost:8000/                     # a greeting
 *   curl -d 'resize photo' localhost:8000/jobs
 *   curl 'localhost:8000/slow?ms=5000' &     # then Ctrl-C the service:
 *                                            # the request still gets its answer
 *   kill -HUP <pid>                          # reload --config FILE
 *
 * @module
 */

import process from "node:process";
import { TaskManager } from "../../mod.ts";
import { runMain } from "../../src/signals/mod.ts";
import { interruptible, repeatTimer } from "../../src/tasks/mod.ts";
import { createApp } from "./app.ts";
import { ConfigStore, configTask } from "./config.ts";
import { httpTask, type RequestCounts } from "./http_task.ts";
import {
  type DemoOptions,
  parseOptions,
  USAGE,
  UsageError,
} from "./options.ts";
import { lifecycleTask } from "./lifecycle_task.ts";
import { JobQueue, workerTask } from "./worker.ts";

/** How often the stats job reports. */
const STATS_INTERVAL_MS = 10_000;
/**
 * The whole shutdown's bound: above the longest `/slow` request, below the
 * 30 s a container orchestrator usually waits before SIGKILL.
 */
const SHUTDOWN_TIMEOUT_MS = 25_000;

const log = (line: string) => console.log(line);

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  process.argv.slice(2);
let options: DemoOptions;
try {
  options = parseOptions(args);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`demo: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const config = new ConfigStore();
const jobs = new JobQueue();
const counts: RequestCounts = { inFlight: 0, served: 0 };
let jobsDone = 0;

const manager = new TaskManager({ shutdownTimeout: SHUTDOWN_TIMEOUT_MS });
// Added first: its cleanup runs last, after every other task's.
manager.addTask("lifecycle", lifecycleTask(log));
manager.addTask(
  "config",
  interruptible(["SIGHUP"], configTask(config, options.configPath, log)),
);
manager.addTask(
  "http",
  httpTask(createApp({ config, jobs, log }), options, counts, log),
);
manager.addTask("worker", workerTask(jobs, () => jobsDone++, log));
manager.addTask(
  "stats",
  repeatTimer(STATS_INTERVAL_MS, () => {
    log(`stats: ${counts.served} requests served, ${jobsDone} jobs done`);
  }),
);

log(`demo: starting (pid ${process.pid}); Ctrl-C or SIGTERM stops it`);
// The manager's timeout bounds the executes and then each cleanup on its own;
// runMain's, counted from the signal, bounds the whole, as a last resort.
await runMain(manager, { shutdownTimeout: SHUTDOWN_TIMEOUT_MS + 5_000 });
