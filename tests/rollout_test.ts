/**
 * A rolling update, on one machine: the demo runs as a fresh process with a
 * drain delay, a load client keeps several keep-alive connections busy on
 * 127.0.0.1, one slow request is in flight, and the test sends SIGTERM, as
 * Kubernetes does to a pod it replaces.
 *
 * Checked: `/readyz` answers 503 within 100 ms of the signal while `/livez`
 * and normal requests still get 200; no request fails (no reset, no refused
 * connection) before the drain delay has passed; the slow request gets its
 * 200; the process exits 0 after about the drain delay plus the drain. The
 * counts and timings are printed.
 *
 * Times are measured in this process from the moment the signal is sent, so
 * every delay in delivering it makes the server stop later than measured,
 * never earlier: "no failure before the drain delay" cannot be met by luck.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { guarded, runtimeName, spawnFixture } from "./helpers/child.ts";
import { header, RawConnection } from "./http_helpers.ts";

const DEMO = new URL("../examples/demo/main.ts", import.meta.url);
const DRAIN_DELAY_MS = 1_000;
/** Longer than the drain delay: it is still in flight when the server drains. */
const SLOW_MS = DRAIN_DELAY_MS + 1_000;
/** Keep-alive connections of the load client. */
const CONNECTIONS = 4;
/** Bounds on the load: per connection, and in time. */
const MAX_REQUESTS_PER_CONNECTION = 20_000;
const MAX_LOAD_MS = 30_000;
/** Requests served before the signal, so the load is really running. */
const WARM_UP_REQUESTS = 200;
/** The bound on the readiness flip. */
const READYZ_FLIP_MS = 100;
/** How long after the end of the drain the exit may come, at most. */
const EXIT_SLACK_MS = 5_000;
const GUARD_MS = 60_000;

interface Outcome {
  /** When it ended, in ms after the signal was sent (negative: before). */
  at: number;
  status?: number;
  error?: string;
}

test(`rollout (${runtimeName()}): SIGTERM under keep-alive load with a drain delay loses no request`, async () => {
  const child = spawnFixture(DEMO, {
    args: ["--port", "0", "--drain-delay", String(DRAIN_DELAY_MS)],
    timeout: GUARD_MS,
  });
  const line = await child.waitForLine(/^http: listening on http:\/\//);
  const port = Number(/:(\d+)$/.exec(line)?.[1]);
  assert.ok(port > 0, line);

  let signalAt = Infinity;
  const since = () => performance.now() - signalAt;
  const loadStart = performance.now();
  let exited = false;
  const loadOver = () => exited || performance.now() - loadStart > MAX_LOAD_MS;

  // The load: each connection sends GET / again as soon as it is answered.
  const outcomes: Outcome[] = [];
  let warm!: () => void;
  const warmedUp = new Promise<void>((resolve) => warm = resolve);
  const loader = async () => {
    let connection: RawConnection | undefined;
    for (let i = 0; i < MAX_REQUESTS_PER_CONNECTION && !loadOver(); i++) {
      try {
        connection ??= await RawConnection.open(port);
        const response = await connection.request("GET", "/");
        outcomes.push({ at: since(), status: response.status });
        if (outcomes.length === WARM_UP_REQUESTS) warm();
        if (header(response, "connection") === "close") {
          connection.socket.destroy();
          connection = undefined;
        }
      } catch (error) {
        outcomes.push({ at: since(), error: String(error) });
        connection?.socket.destroy();
        connection = undefined;
        // The server is gone: nothing more to learn.
        if (since() > DRAIN_DELAY_MS) break;
      }
    }
    connection?.socket.destroy();
  };
  const loaders = Array.from({ length: CONNECTIONS }, loader);

  // The slow request, on its own connection.
  const slowConnection = await RawConnection.open(port);
  const slow = slowConnection.request("GET", `/slow?ms=${SLOW_MS}`).then(
    (response) => ({ ...response, at: since() }),
  );
  slow.catch(() => {});
  await child.waitForLine(`http: GET /slow?ms=${SLOW_MS} started`);
  await guarded(warmedUp, GUARD_MS, `${WARM_UP_REQUESTS} requests`);

  // The probe connection, ready before the signal.
  const probe = await RawConnection.open(port);
  assert.equal((await probe.request("GET", "/readyz")).status, 200);

  signalAt = performance.now();
  child.kill("SIGTERM");
  const exit = child.exited.then((result) => {
    exited = true;
    return { ...result, at: since() };
  });

  // Poll /readyz on the kept-alive probe connection until the first 503.
  let polls = 0;
  let readyzFlip = NaN;
  while (polls < 100_000 && since() < DRAIN_DELAY_MS) {
    const response = await probe.request("GET", "/readyz");
    polls++;
    if (response.status === 503) {
      readyzFlip = since();
      assert.deepEqual(JSON.parse(response.body), { status: "fail" });
      break;
    }
    assert.equal(response.status, 200);
  }
  // Still alive, still serving, during the drain.
  const live = await probe.request("GET", "/livez");
  const liveAt = since();
  const app = await probe.request("GET", "/");
  const appAt = since();

  await Promise.all(loaders);
  const slowResponse = await guarded(slow, GUARD_MS, "the slow response");
  const { code, signal, stdout, stderr, at: exitAt } = await exit;
  probe.socket.destroy();

  const before = outcomes.filter((o) => o.at < 0);
  const duringDrain = outcomes.filter((o) =>
    o.at >= 0 && o.at < DRAIN_DELAY_MS
  );
  const failures = outcomes.filter((o) => o.error !== undefined);
  const early = failures.filter((o) => o.at < DRAIN_DELAY_MS);
  const non200 = outcomes.filter((o) =>
    o.status !== undefined && o.status !== 200
  );
  console.log(
    `rollout (${runtimeName()}): ${outcomes.length} requests on ${CONNECTIONS} keep-alive connections ` +
      `(${before.length} before the signal, ${duringDrain.length} answered during the ${DRAIN_DELAY_MS} ms drain delay, ` +
      `${
        outcomes.length - before.length - duringDrain.length - failures.length
      } after it); ` +
      `failures: ${early.length} before the drain delay ended, ${failures.length} in all ` +
      `(first at ${failures[0]?.at.toFixed(1) ?? "-"} ms: ${
        failures[0]?.error ?? "-"
      }); ` +
      `/readyz 503 at ${readyzFlip.toFixed(1)} ms after SIGTERM (${polls} poll${
        polls === 1 ? "" : "s"
      }); ` +
      `/livez 200 at ${liveAt.toFixed(1)} ms, GET / 200 at ${
        appAt.toFixed(1)
      } ms; ` +
      `slow request 200 at ${slowResponse.at.toFixed(0)} ms; exit ${code} at ${
        exitAt.toFixed(0)
      } ms`,
  );

  const output = `\n${stdout.join("\n")}\n${stderr.join("\n")}`;
  assert.ok(
    readyzFlip < READYZ_FLIP_MS,
    `/readyz said 503 at ${readyzFlip} ms${output}`,
  );
  assert.equal(live.status, 200, "/livez during the drain");
  assert.equal(app.status, 200, "GET / during the drain");
  assert.ok(appAt < DRAIN_DELAY_MS, "those came within the drain delay");
  assert.deepEqual(early, [], "no request failed before the drain delay ended");
  assert.deepEqual(non200, [], "every answer was a 200");
  assert.ok(duringDrain.length > 0, "requests were served during the drain");
  assert.equal(slowResponse.status, 200);
  assert.equal(slowResponse.body, `waited ${SLOW_MS} ms\n`);
  assert.ok(
    slowResponse.at >= DRAIN_DELAY_MS,
    "answered after the drain began",
  );
  assert.equal(signal, null);
  assert.equal(code, 0, output);
  assert.deepEqual(stderr.filter((l) => l !== ""), [], output);
  // It lived through the drain delay and the slow request, and not much more.
  assert.ok(exitAt >= DRAIN_DELAY_MS, `exited at ${exitAt} ms`);
  assert.ok(
    exitAt < SLOW_MS + EXIT_SLACK_MS,
    `exited at ${exitAt} ms; the slow request ended at ${slowResponse.at} ms`,
  );
  const lines = stdout.join("\n");
  assert.match(
    lines,
    new RegExp(`demo: draining for ${DRAIN_DELAY_MS} ms: /readyz fails`),
  );
  assert.match(lines, /http: shutting down, 1 request in flight/);
});
