/**
 * Workers: the process's signals never reach a node:worker_threads worker
 * (on Node.js, Bun and Deno) or a Bun Worker, so there every signals
 * function throws the no-OS-signals error instead of listening in vain.
 * Deno's web Workers do receive them, and work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker as ThreadWorker } from "node:worker_threads";
import { guarded, runtimeName, spawnFixture } from "./helpers/child.ts";

const WORKER = new URL("./fixtures/signal_worker.ts", import.meta.url);
const DENO_WEB_WORKER = new URL(
  "./fixtures/deno_web_worker.ts",
  import.meta.url,
);
const NO_SIGNALS = /^OS signals are not available in a worker thread/;

function assertAllRefused(results: Record<string, string>): void {
  const calls = ["addSignalListener", "shutdownController", "runMain"];
  assert.deepEqual(Object.keys(results).sort(), calls.sort());
  for (const call of calls) {
    assert.match(results[call], NO_SIGNALS, `${call}: ${results[call]}`);
  }
}

test("in a node:worker_threads worker every signals function throws the no-OS-signals error", async () => {
  const worker = new ThreadWorker(WORKER);
  try {
    const results = await guarded(
      new Promise<Record<string, string>>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      }),
      30_000,
      "the worker's results",
    );
    assertAllRefused(results);
  } finally {
    await worker.terminate();
  }
});

if (runtimeName() === "bun") {
  test("in a Bun Worker every signals function throws the no-OS-signals error", async () => {
    const worker = new Worker(WORKER.href, { type: "module" });
    try {
      const results = await guarded(
        new Promise<Record<string, string>>((resolve, reject) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => reject(event);
        }),
        30_000,
        "the worker's results",
      );
      assertAllRefused(results);
    } finally {
      worker.terminate();
    }
  });
}

if (runtimeName() === "deno") {
  test("in a Deno web Worker signals work: a ShutdownController there aborts on a real SIGHUP", async () => {
    const result = await spawnFixture(DENO_WEB_WORKER).exited;
    assert.equal(result.code, 0, result.stderr.join("\n"));
    assert.deepEqual(result.stdout.filter((l) => l), [
      "listening",
      "aborted by SIGHUP",
    ]);
  });
}
