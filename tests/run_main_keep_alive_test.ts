/**
 * Whether a service stays up while its tasks only wait for a signal. A signal
 * listener alone does not keep a process alive on Node.js, and on Deno and
 * Bun only while a top-level await is pending; runMain must keep it up on all
 * three until it is told to stop.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildExit, runtimeName, spawnFixture } from "./helpers/child.ts";

const SERVICE = new URL("./fixtures/service.ts", import.meta.url);
const BARE = new URL("./fixtures/bare_manager.ts", import.meta.url);

function explain(result: ChildExit): string {
  return `stdout:\n${result.stdout.join("\n")}\nstderr:\n${
    result.stderr.join("\n")
  }`;
}

for (const style of ["awaited", "not awaited"] as const) {
  test(`a service under runMain (${style}) stays up until signalled, then stops cleanly`, async () => {
    const child = spawnFixture(SERVICE, {
      args: style === "awaited" ? [] : ["--no-await"],
    });
    await child.waitForLine("ready");
    // "alive" comes from a timer that does not hold the process open: it is
    // printed only if the process did not exit when its work ran out.
    await child.waitForLine("alive");
    child.kill("SIGTERM");
    const result = await child.exited;
    assert.equal(result.code, 0, explain(result));
    assert.ok(result.stdout.includes("server: cleaned up"), explain(result));
  });
}

test("a bare manager without runMain, awaiting a ShutdownController: what each runtime does", async () => {
  const child = spawnFixture(BARE);
  if (runtimeName() === "node") {
    // Node.js: signal listeners do not keep the event loop alive, so the
    // process exits at once with 13, "unsettled top-level await".
    const result = await child.exited;
    assert.equal(result.code, 13, explain(result));
    assert.ok(result.stdout.includes("ready"));
    assert.ok(!result.stdout.includes("alive"));
    assert.ok(
      result.stderr.some((l) => l.includes("unsettled top-level await")),
      explain(result),
    );
    return;
  }
  // Deno: a signal listener keeps a process with a pending top-level await
  // alive. Bun: a pending top-level await keeps the process alive by itself.
  await child.waitForLine("ready");
  await child.waitForLine("alive");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  assert.deepEqual(result.stdout.slice(-3), [
    "server: stopped",
    "server: cleaned up",
    "run resolved with 0 errors",
  ]);
});
