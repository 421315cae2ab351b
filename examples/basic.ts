/**
 * A small program run to completion: a "database" and a "server" with a full
 * lifecycle, and a batch job whose end (a stop-group task) ends the program.
 *
 * Run it: deno run examples/basic.ts (or node / bun examples/basic.ts)
 */
import { TaskManager, TaskType } from "../mod.ts";

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );

const manager = new TaskManager({ shutdownTimeout: 5_000 });

manager.addTask("database", {
  initialize: () => console.log("database: connected"),
  execute: untilAborted,
  cleanup: () => console.log("database: disconnected"),
});

manager.addTask("server", {
  initialize: () => console.log("server: listening"),
  execute: async (signal) => {
    await untilAborted(signal);
    console.log("server: draining connections");
  },
  cleanup: () => console.log("server: closed"),
});

manager.addTask("batch", async () => {
  for (let step = 1; step <= 3; step++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    console.log(`batch: step ${step} of 3 done`);
  }
}, TaskType.StopGroup);

const errors = await manager.run();
console.log(errors.length === 0 ? "all done, no errors" : errors);
