import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnFixture } from "./helpers/child.ts";

const EXAMPLE = new URL("../examples/force_shutdown.ts", import.meta.url);
const PRINT = "forever: never going to stop printing!";

test("examples/force_shutdown.ts: forceStop ends a task that ignores SIGINT, exit 1 with the error", async () => {
  const child = spawnFixture(EXAMPLE, { timeout: 60_000 });
  await child.waitForLine(PRINT);
  child.kill("SIGINT");
  const { code, signal, stdout, stderr } = await child.exited;

  assert.equal(signal, null);
  assert.equal(code, 1, stderr.join("\n"));
  assert.equal(stdout[0], "force-shutdown: running; press Ctrl-C to stop");
  const asked = stdout.findIndex((line) =>
    line.startsWith("forever: asked to stop, ignoring it")
  );
  assert.ok(asked > 0, stdout.join("\n"));
  // The task went on printing after the stop: it really ignored it. (Its next
  // print was due before forceStop's grace time ends, so this always holds.)
  assert.ok(stdout.slice(asked + 1).includes(PRINT), stdout.join("\n"));
  assert.deepEqual(stdout.filter((line) => line !== PRINT && line !== ""), [
    "force-shutdown: running; press Ctrl-C to stop",
    stdout[asked],
  ]);
  // runMain reports the forceStop timeout as the task's execute failure.
  assert.equal(
    stderr.filter((line) => line !== "").length,
    1,
    stderr.join("\n"),
  );
  assert.match(
    stderr[0],
    /^goasync: task "forever" failed in execute: .*2000 ms/,
  );
});
