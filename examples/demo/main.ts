/**
 * The demo service: everything `@goasync/core` offers, in one small program.
 *
 * - an HTTP server (`httpServer`: `Deno.serve`, `Bun.serve` or `node:http`)
 *   that drains in-flight requests on shutdown, with `/livez` and `/readyz`
 *   from `healthHandler`;
 * - with `--drain-delay MS`, a drain before the stop: `/readyz` fails at once
 *   on SIGTERM while requests are still served, so that a load balancer
 *   moves traffic away first (the manager's `drainDelay`);
 * - a background worker that finishes the jobs it accepted, restarted with
 *   backoff if it fails (a `permanent` restart policy);
 * - a `repeatTimer` job that reports statistics;
 * - a configuration that SIGHUP reloads, through `interruptible`;
 * - all under `runMain`: Ctrl-C or SIGTERM shuts it down gracefully.
 *
 * Run it: deno task demo, or deno run -A examples/demo/main.ts [--port N],
 * or node / bun examples/demo/main.ts [--port N]. Then try:
 *
 *   curl localhost:8000/                     # a greeting
 *   curl localhost:8000/readyz               # {"status":"pass"}
 *   curl 'localhost:8000/livez?verbose'      # each task's state
 *   curl -d 'resize photo' localhost:8000/jobs
 *   curl -d crash localhost:8000/jobs        # the worker fails and restarts
 *   curl 'localhost:8000/slow?ms=5000' &     # then Ctrl-C the service:
 *                                            # the request still gets its answer
 *   kill -HUP <pid>                          # reload --config FILE
 *
 * @module
 */

import process from "node:process";
import {
  type ManagerStateEvent,
  type TaskEvent,
  TaskManager,
} from "../../mod.ts";
import { healthHandler } from "../../src/http/mod.ts";
import { runMain } from "../../src/signals/mod.ts";
import { interruptible, repeatTimer } from "../../src/tasks/mod.ts";
import { createApp } from "./app.ts";
import { ConfigStore, configTask } from "./config.ts";
import { httpTask, type RequestCounts } from "./http_task.ts";
import {
  type DemoOptions,
  parseOptions,
  SHUTDOWN_MARGIN_MS,
  SHUTDOWN_TIMEOUT_MS,
  USAGE,
  UsageError,
} from "./options.ts";
import { lifecycleTask } from "./lifecycle_task.ts";
import { JobQueue, workerTask } from "./worker.ts";

/** How often the stats job reports. */
const STATS_INTERVAL_MS = 10_000;

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

const manager = new TaskManager({
  shutdownTimeout: SHUTDOWN_TIMEOUT_MS,
  drainDelay: options.drainDelay,
});
manager.addEventListener("statechange", (event: ManagerStateEvent) => {
  if (event.to !== "draining") return;
  log(
    `demo: draining for ${options.drainDelay} ms: /readyz fails, requests are still served`,
  );
});
manager.addEventListener("taskrestart", (event: TaskEvent) => {
  const cause = event.error instanceof Error
    ? event.error.message
    : event.error;
  log(
    `demo: task "${event.taskName}" failed (${cause}), restarting in ${
      Math.round(event.delay ?? 0)
    } ms`,
  );
});

// Added first: its cleanup runs last, after every other task's.
manager.addTask("lifecycle", lifecycleTask(log));
manager.addTask(
  "config",
  interruptible(["SIGHUP"], configTask(config, options.configPath, log)),
);
const health = healthHandler(manager);
manager.addTask(
  "http",
  httpTask(createApp({ config, jobs, health, log }), options, counts, log),
);
manager.addTask("worker", workerTask(jobs, () => jobsDone++, log), {
  restart: "permanent",
  backoff: { initial: 100, max: 5_000 },
});
manager.addTask(
  "stats",
  repeatTimer(STATS_INTERVAL_MS, () => {
    log(`stats: ${counts.served} requests served, ${jobsDone} jobs done`);
  }),
);

log(`demo: starting (pid ${process.pid}); Ctrl-C or SIGTERM stops it`);
// The manager's timeout bounds the executes and then each cleanup on its own;
// runMain's bounds the whole, as a last resort. Both count from the end of
// the drain, so the process lives at most `shutdownBudget(options)`
// (options.ts) after SIGTERM.
await runMain(manager, {
  shutdownTimeout: SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS,
});
