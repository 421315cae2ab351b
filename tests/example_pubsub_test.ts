import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnFixture } from "./helpers/child.ts";

const EXAMPLE = new URL("../examples/pubsub/main.ts", import.meta.url);
const SUBSCRIBERS = ["sub1", "sub2"];

/** The numbers in the lines that match `pattern` (its one group), in order. */
function numbers(lines: readonly string[], pattern: RegExp): number[] {
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

test("examples/pubsub: on SIGINT the broker closes the queues and every subscriber drains its own", async () => {
  const child = spawnFixture(EXAMPLE, { timeout: 60_000 });
  // Wait until both queues have overflowed once: both hold messages then.
  for (const name of SUBSCRIBERS) {
    await child.waitForLine(new RegExp(`^broker: ${name}'s queue is full`));
  }
  child.kill("SIGINT");
  const { code, signal, stdout, stderr } = await child.exited;
  const all = stdout.join("\n");

  assert.equal(signal, null);
  assert.equal(code, 0, `${all}\n${stderr.join("\n")}`);
  assert.deepEqual(stderr.filter((line) => line !== ""), []);

  const sent = numbers(stdout, /^publisher: sent (\d+)$/);
  assert.deepEqual(sent, sent.map((_, i) => i + 1), "sent 1, 2, 3, ...");
  assert.equal(
    stdout.at(-1),
    `publisher: stopped after sending ${sent.length}`,
  );
  const lastSend = stdout.findLastIndex((l) => l.startsWith("publisher: sent"));

  for (const name of SUBSCRIBERS) {
    const received = numbers(stdout, new RegExp(`^${name}: received (\\d+)$`));
    const dropped = numbers(
      stdout,
      new RegExp(`^broker: ${name}'s queue is full, dropped (\\d+)$`),
    );
    assert.ok(dropped.length > 0, `${name} dropped nothing:\n${all}`);
    // Every message sent was either handled, once and in order, or dropped.
    assert.deepEqual(
      [...received, ...dropped].sort((a, b) => a - b),
      sent,
      `${name}: received ${received}, dropped ${dropped}`,
    );
    assert.deepEqual(received, [...received].sort((a, b) => a - b));

    // The broker closed the queue after the last send, with some left...
    const close = new RegExp(
      `^broker: closed ${name}'s queue with (\\d+) messages left to drain$`,
    );
    const closedAt = stdout.findIndex((line) => close.test(line));
    assert.ok(closedAt > lastSend, `${name}'s queue closed too early:\n${all}`);
    const left = Number(close.exec(stdout[closedAt])![1]);
    assert.ok(left > 0, `${name}'s queue was empty at the stop:\n${all}`);
    // ...and the subscriber handled exactly those before it stopped.
    const after = stdout.slice(closedAt + 1);
    const drained = numbers(after, new RegExp(`^${name}: received (\\d+)$`));
    assert.deepEqual(drained, received.slice(-left));
    const stoppedAt = after.indexOf(`${name}: queue drained, stopping`);
    const lastReceived = after.findLastIndex((line) =>
      line.startsWith(`${name}: received`)
    );
    assert.ok(stoppedAt > lastReceived, `${name} stopped early:\n${all}`);
  }
});
