/**
 * A flaky task restarted with backoff, and every event of its manager printed
 * as one line: a consumer whose broker drops the first two connections, and a
 * batch job whose end (a stop-group task) ends the program.
 *
 * Run it: deno run examples/restarts.ts (or node / bun examples/restarts.ts)
 */
import { TaskManager } from "../mod.ts";

const manager = new TaskManager({ shutdownTimeout: 5_000 });

// One line per event: what a log shipper or a dashboard would receive.
manager.addEventListener("statechange", (e) => {
  console.log(`manager ${e.from} -> ${e.to}`);
});
manager.addEventListener("taskstart", (e) => {
  console.log(`${e.taskName}: attempt ${e.attempt} started`);
});
manager.addEventListener("taskstop", (e) => {
  const how = "error" in e ? `failed: ${(e.error as Error).message}` : "ended";
  console.log(`${e.taskName}: attempt ${e.attempt} ${how}`);
});
manager.addEventListener("taskrestart", (e) => {
  console.log(`${e.taskName}: restart in ${e.delay} ms`);
});
manager.addEventListener("taskerror", (e) => {
  console.log(`error: ${e.error.message}`);
});

let connections = 0;
manager.addTask("consumer", {
  initialize: () => console.log(`consumer: connecting (#${++connections})`),
  async execute(signal) {
    if (connections <= 2) throw new Error("broker closed the connection");
    await new Promise((resolve) =>
      signal.addEventListener("abort", resolve, { once: true })
    );
  },
  cleanup: () => console.log(`consumer: disconnected (#${connections})`),
}, {
  restart: "transient",
  // jitter 0 makes the delays exact; keep the default 0.2 in a real service.
  backoff: { initial: 20, factor: 2, jitter: 0 },
  intensity: { maxRestarts: 5, within: 10_000 },
});

manager.addTask("batch", async () => {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const [consumer] = manager.snapshot().tasks;
  console.log(
    `batch: done; consumer is ${consumer.state} after ${consumer.restarts} restarts`,
  );
}, "stop-group");

const errors = await manager.run();
console.log(
  errors.length === 0 ? "all done, no errors" : `${errors.length} errors`,
);
