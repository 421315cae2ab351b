/**
 * goasync's force-shutdown example: a badly behaved task that ignores its
 * stop signal, wrapped in `forceStop` so that the program still ends. After
 * Ctrl-C (or SIGTERM) the task gets 2 seconds; then `forceStop` gives up on
 * it, `runMain` reports the error on stderr, and the program exits with 1.
 *
 * Run it: deno run -A examples/force_shutdown.ts (or node / bun
 * examples/force_shutdown.ts), then press Ctrl-C.
 *
 * @module
 */

import { TaskManager } from "../mod.ts";
import { runMain } from "../src/signals/mod.ts";
import { forceStop } from "../src/tasks/mod.ts";

const GRACE_MS = 2_000;
const PRINT_EVERY_MS = 500;

const manager = new TaskManager();
manager.addTask(
  "forever",
  forceStop(GRACE_MS, async (signal) => {
    signal.addEventListener("abort", () => {
      console.log(
        `forever: asked to stop, ignoring it (forceStop gives up in ${GRACE_MS} ms)`,
      );
    }, { once: true });
    // A loop that never checks its signal, as goasync's forever task.
    while (true) {
      console.log("forever: never going to stop printing!");
      await new Promise((resolve) => setTimeout(resolve, PRINT_EVERY_MS));
    }
  }),
);

console.log("force-shutdown: running; press Ctrl-C to stop");
await runMain(manager);
