/**
 * A ShutdownController that is disposed of or aborted leaves no listener
 * behind, checked in a real process (tests/fixtures/released.ts) whose
 * top-level await stays pending with nothing else to do. Deno keeps such a
 * process alive exactly while a signal listener is registered; Node.js and
 * Bun report their listener counts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, runtimeName, spawnFixture } from "./helpers/child.ts";

const RELEASED = new URL("./fixtures/released.ts", import.meta.url);
const NONE = "listeners SIGINT=0 SIGTERM=0 SIGHUP=0";

for (const mode of ["dispose", "using", "abort"]) {
  test(`ShutdownController released by ${mode}: no listener is left to keep the process`, async () => {
    const child = spawnFixture(RELEASED, { args: [mode] });
    switch (runtimeName()) {
      case "deno": {
        // Nothing holds the process: Deno ends it, reporting the pending await.
        const result = await child.exited;
        assert.equal(result.code, 1, explain(result));
        assert.ok(
          result.stderr.some((l) =>
            l.includes("Top-level await promise never resolved")
          ),
          explain(result),
        );
        break;
      }
      case "node": {
        const result = await child.exited;
        assert.equal(result.code, 13, explain(result));
        assert.ok(result.stdout.includes(NONE), explain(result));
        break;
      }
      case "bun": {
        // Bun never ends a process whose top-level await is pending, so
        // only the counts can tell; then the test ends the child.
        await child.waitForLine(NONE);
        await child.waitForLine("released");
        child.kill("SIGKILL");
        const result = await child.exited;
        assert.equal(result.signal, "SIGKILL", explain(result));
        break;
      }
    }
  });
}

test("control: a ShutdownController still listening keeps a Deno process alive until a signal aborts it", async () => {
  const child = spawnFixture(RELEASED, { args: ["leak"] });
  const runtime = runtimeName();
  if (runtime === "node") {
    // A listener never keeps Node.js alive; the counts show it is there.
    const result = await child.exited;
    assert.equal(result.code, 13, explain(result));
    assert.ok(
      result.stdout.includes("listeners SIGINT=1 SIGTERM=1 SIGHUP=1"),
      explain(result),
    );
    return;
  }
  if (runtime === "bun") {
    await child.waitForLine("listeners SIGINT=1 SIGTERM=1 SIGHUP=1");
  }
  await child.waitForLine("alive");
  // Still alive to receive it: the abort prints, and removes the listeners.
  child.kill("SIGTERM");
  await child.waitForLine("aborted by SIGTERM");
  if (runtime === "bun") child.kill("SIGKILL");
  const result = await child.exited;
  if (runtime === "deno") {
    // With the listeners gone, Deno ends the process by itself.
    assert.equal(result.code, 1, explain(result));
    assert.ok(
      result.stderr.some((l) =>
        l.includes("Top-level await promise never resolved")
      ),
      explain(result),
    );
  } else {
    assert.equal(result.signal, "SIGKILL", explain(result));
  }
});

test("after a ShutdownController is disposed of, SIGTERM has its default action again", async () => {
  const child = spawnFixture(RELEASED, { args: ["dispose-then-wait"] });
  await child.waitForLine("released");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.signal, "SIGTERM", explain(result));
  assert.equal(result.code, null);
});
