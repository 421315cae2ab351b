import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Runs an example to completion on the runtime running this test. */
function runExample(name: string): Promise<{ code: number; stdout: string }> {
  const file = fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  const isDeno = "Deno" in globalThis;
  const args = isDeno ? ["run", "-A", file] : [file];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({
        code: typeof error?.code === "number" ? error.code : 0,
        stdout,
      });
    });
  });
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
