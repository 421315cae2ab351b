/**
 * runMain over a TaskManager with a drainDelay, in real processes: the first
 * signal starts the drain, a second one still exits at once, and runMain's
 * shutdownTimeout counts from the end of the drain.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, pause, spawnFixture } from "./helpers/child.ts";

const DRAINING = new URL("./fixtures/draining_service.ts", import.meta.url);

test("drainDelay 5000: a second SIGTERM during the drain exits 143 at once", async () => {
  const child = spawnFixture(DRAINING, { args: ["--drain", "5000"] });
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  await child.waitForLine("state: draining");
  await pause(500); // past the 300 ms duplicate window: a second request
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 143, explain(result));
  assert.ok(
    result.stderr.includes(
      "goasync: received SIGTERM again while shutting down; exiting at once with code 143",
    ),
    explain(result),
  );
  // The 5,000 ms drain never ended: the process exited during it.
  assert.ok(!result.stdout.includes("state: stopping"), explain(result));
  assert.ok(!result.stdout.some((l) => l.startsWith("stopped")));
});

test("runMain's shutdownTimeout counts from the end of the drain", async () => {
  const child = spawnFixture(DRAINING, {
    args: ["--drain", "400", "--timeout", "400", "--stubborn"],
  });
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 1, explain(result));
  assert.ok(
    result.stderr.includes(
      "goasync: shutdown did not finish within 400 ms of the end of the drain after SIGTERM; exiting with code 1",
    ),
    explain(result),
  );
  // Measured by the child's own clock; timers never fire early, so these
  // lower bounds hold however loaded the machine is.
  const timing = result.stdout.find((l) => l.startsWith("reported "));
  const [, draining, stopping] = timing?.match(
    /^reported (\d+) ms after draining, (\d+) ms after stopping$/,
  ) ?? [];
  assert.ok(Number(draining) >= 795, explain(result));
  assert.ok(Number(stopping) >= 395, explain(result));
});

test("drainDelay: one SIGTERM drains, then stops gracefully with exit 0", async () => {
  const child = spawnFixture(DRAINING, { args: ["--drain", "300"] });
  await child.waitForLine("ready");
  child.kill("SIGTERM");
  const result = await child.exited;
  assert.equal(result.code, 0, explain(result));
  const states = result.stdout.filter((l) => l.startsWith("state: "));
  assert.deepEqual(states, [
    "state: initializing",
    "state: running",
    "state: draining",
    "state: stopping",
    "state: stopped",
  ]);
  const stopped = result.stdout.find((l) => l.startsWith("stopped "));
  const [, drained] = stopped?.match(/^stopped (\d+) ms after draining/) ??
    [];
  assert.ok(Number(drained) >= 295, explain(result));
});
