/**
 * Every fenced `ts` example in the documentation runs as shown, as a fresh
 * process on the runtime running this test, and exits 0 by itself within
 * {@linkcode BOUND_MS}. `deno test --doc` is not enough: it runs on Deno
 * only, inside a test process whose timers keep it alive, so an example that
 * Node.js ends early (exit 13: only an unref'd timer such as
 * `AbortSignal.timeout` was left) passes there.
 *
 * Examples fenced as `ts ignore` (services that wait for a signal, for one)
 * are reported as skipped; each must be covered by another test.
 *
 * Two examples run at a time; each test starts the next one's process.
 */

import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { type ChildExit, runProgram } from "./helpers/child.ts";
import {
  type DocExample,
  exampleFolder,
  findDocExamples,
  writeDocExample,
} from "./helpers/doc_examples.ts";

/** How long one example may take, start to exit. */
const BOUND_MS = 20_000;
/** How many examples run at once. */
const CONCURRENCY = 2;

const examples = findDocExamples();
const runnable = examples.filter((example) => !example.ignored);
const folder = exampleFolder();
const removeFolder = () => fs.rmSync(folder, { recursive: true, force: true });
// Bun does not call a top-level `after`: the last test removes it too.
after(removeFolder);

const results = new Map<DocExample, Promise<ChildExit | Error>>();
function start(index: number): void {
  const example = runnable[index];
  if (example === undefined || results.has(example)) return;
  const program = writeDocExample(example, folder);
  results.set(
    example,
    runProgram(program, { timeout: BOUND_MS })
      .catch((error: Error) => error)
      .finally(() => fs.rmSync(program, { force: true })),
  );
}

function where(example: DocExample): string {
  return `${example.file}:${example.line}`;
}

for (const example of examples) {
  if (example.ignored) {
    test(`${where(example)} (ts ignore)`, { skip: "fenced as ts ignore" });
  }
}

runnable.forEach((example, index) => {
  test(`${where(example)} runs as shown and exits 0`, {
    timeout: BOUND_MS * 2,
  }, async () => {
    for (let next = index; next < index + CONCURRENCY; next++) start(next);
    const result = await results.get(example)!;
    const code = example.code.split("\n").map((line, i) =>
      `${String(example.line + 1 + i).padStart(4)} | ${line}`
    ).join("\n");
    if (result instanceof Error) {
      assert.fail(
        `${where(example)}: ${result.message}\n--- example ---\n${code}`,
      );
    }
    assert.equal(
      result.code,
      0,
      `${where(example)} exited ${result.code ?? result.signal} after ${
        result.lived.toFixed(0)
      } ms${
        result.code === 13
          ? " (13: Node.js found nothing keeping the process alive; use a task that ends, or stop the manager from inside)"
          : ""
      }\n--- example ---\n${code}\n--- stdout ---\n${
        result.stdout.join("\n")
      }\n--- stderr ---\n${result.stderr.join("\n")}`,
    );
  });
});

test(
  `the documentation has examples to run (${runnable.length} run, ${
    examples.length - runnable.length
  } fenced as ts ignore)`,
  () => {
    removeFolder();
    assert.ok(runnable.length > 0, "no ts example found");
  },
);
