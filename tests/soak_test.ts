/**
 * The small soak: 200,000 short-lived execute tasks through one running
 * manager, in a child process with a forced garbage collector, on the runtime
 * the tests run on. `deno task soak` runs the full million (scripts/soak.ts).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "./helpers/child.ts";

/** Runs scripts/soak.ts in a child and returns its JSON result and exit code. */
async function soak(tasks: number, ...flags: string[]) {
  const { code, stdout, stderr } = await runProgram("scripts/soak.ts", {
    args: ["--tasks", String(tasks), "--json", ...flags],
    exposeGc: true,
    timeout: 600_000,
  });
  const line = stdout.at(-1) ?? "";
  assert.ok(
    line.startsWith("{"),
    `no result from the soak:\n${[...stdout, ...stderr].join("\n")}`,
  );
  return { code, result: JSON.parse(line) };
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

test("200,000 short-lived execute tasks: the heap does not grow with finished tasks", async () => {
  const { code, result } = await soak(200_000);
  const figures = result.samples
    .map((s: { finished: number; heapUsed: number }) =>
      `${s.finished / 1000}k ${mb(s.heapUsed)}`
    ).join(", ");
  console.log(`soak on ${result.runtime}: ${figures}`);
  assert.equal(result.errors, 0);
  assert.equal(
    result.leaked,
    false,
    `heap grew ${mb(result.growth.from25to50)} from 25% to 50% (limit ${
      mb(result.limit.from25to50)
    }) and ${mb(result.growth.from25to100)} from 25% to 100% (limit ${
      mb(result.limit.from25to100)
    })`,
  );
  assert.equal(code, 0);
});

test("the soak sees a leak of a few dozen bytes per task", async () => {
  const { code, result } = await soak(200_000, "--leak");
  assert.equal(result.leaked, true, `growth ${mb(result.growth.from25to100)}`);
  assert.equal(code, 1);
});
