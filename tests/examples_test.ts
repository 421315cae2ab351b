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
