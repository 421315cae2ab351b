import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "./helpers/child.ts";

/** Runs an example to completion on the runtime running this test. */
async function runExample(
  name: string,
): Promise<{ code: number | null; stdout: string }> {
  const { code, stdout } = await runProgram(`examples/${name}`, {
    timeout: 60_000,
  });
  return { code, stdout: stdout.join("\n") };
}

test("examples/basic.ts runs its manager to completion in lifecycle order", async () => {
  const { code, stdout } = await runExample("basic.ts");
  assert.equal(code, 0);
  assert.deepEqual(stdout.trim().split("\n"), [
    "database: connected",
    "server: listening",
    "batch: step 1 of 3 done",
    "batch: step 2 of 3 done",
    "batch: step 3 of 3 done",
    "server: draining connections",
    "server: closed",
    "database: disconnected",
    "all done, no errors",
  ]);
});

test("examples/restarts.ts restarts its consumer with backoff and prints each event as one line", async () => {
  const { code, stdout } = await runExample("restarts.ts");
  assert.equal(code, 0);
  assert.deepEqual(stdout.trim().split("\n"), [
    "manager idle -> initializing",
    "consumer: connecting (#1)",
    "manager initializing -> running",
    "consumer: attempt 1 started",
    "batch: attempt 1 started",
    "consumer: attempt 1 failed: broker closed the connection",
    "consumer: restart in 20 ms",
    "consumer: disconnected (#1)",
    "consumer: connecting (#2)",
    "consumer: attempt 2 started",
    "consumer: attempt 2 failed: broker closed the connection",
    "consumer: restart in 40 ms",
    "consumer: disconnected (#2)",
    "consumer: connecting (#3)",
    "consumer: attempt 3 started",
    "batch: done; consumer is running after 2 restarts",
    "batch: attempt 1 ended",
    "manager running -> stopping",
    "consumer: attempt 3 ended",
    "consumer: disconnected (#3)",
    "manager stopping -> stopped",
    "all done, no errors",
  ]);
});
