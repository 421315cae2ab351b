/**
 * healthHandler with a real TaskManager, and with httpServer over a real
 * socket: `/readyz` fails from the moment a stop is asked (draining) while
 * the server still answers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskManager, TaskType } from "../mod.ts";
import { healthHandler, httpServer } from "../src/http/mod.ts";
import { guarded } from "./helpers/child.ts";
import { latch, untilAborted } from "./helpers/tasks.ts";
import { RawConnection } from "./http_helpers.ts";

const GUARD_MS = 10_000;
/** Longer than any test: the drain is ended by disposing the manager. */
const LONG_DRAIN_MS = 600_000;

async function status(
  handler: (request: Request) => Response | Promise<Response>,
  path: string,
) {
  return (await handler(new Request(`http://localhost${path}`))).status;
}

test("healthHandler with a TaskManager: idle, running, draining, stopped", async () => {
  const manager = new TaskManager({ drainDelay: LONG_DRAIN_MS });
  const health = healthHandler(manager);
  const running = latch();
  manager.addTask("server", async (signal) => {
    running.resolve();
    await untilAborted(signal);
  });
  assert.equal(await status(health, "/livez"), 200, "idle");
  assert.equal(await status(health, "/readyz"), 503, "idle");

  const done = manager.run();
  await guarded(running.promise, GUARD_MS, "start of the task");
  assert.equal(manager.state, "running");
  assert.equal(await status(health, "/readyz"), 200, "running");
  const verbose = await health(new Request("http://localhost/readyz?verbose"));
  assert.deepEqual(
    (await verbose.json()).checks["task:server"][0].observedValue,
    "running",
  );

  manager.stop();
  assert.equal(manager.state, "draining");
  assert.equal(await status(health, "/readyz"), 503, "draining");
  assert.equal(await status(health, "/livez"), 200, "draining");

  await guarded(manager[Symbol.asyncDispose](), GUARD_MS, "end of run");
  assert.deepEqual(await done, []);
  assert.equal(await status(health, "/livez"), 503, "stopped");
  assert.equal(await status(health, "/readyz"), 503, "stopped");
});

test("healthHandler on httpServer: while draining, /readyz is 503 and the app still answers on a kept-alive connection", async () => {
  const manager = new TaskManager({ drainDelay: LONG_DRAIN_MS });
  const health = healthHandler(manager);
  const server = httpServer((request) => {
    const { pathname } = new URL(request.url);
    if (pathname.endsWith("/livez") || pathname.endsWith("/readyz")) {
      return health(request);
    }
    return new Response("app");
  }, { port: 0, hostname: "127.0.0.1" });
  manager.addTask("http", server);
  const listening = latch();
  manager.addTask("ready", () => listening.resolve(), TaskType.Error);
  const done = manager.run();
  await guarded(listening.promise, GUARD_MS, "start");

  const connection = await RawConnection.open(server.port!);
  assert.equal((await connection.request("GET", "/readyz")).status, 200);
  manager.stop();
  const ready = await connection.request("GET", "/readyz");
  assert.equal(ready.status, 503);
  assert.equal(ready.body, '{"status":"fail"}');
  assert.equal((await connection.request("GET", "/livez")).status, 200);
  assert.equal((await connection.request("GET", "/")).body, "app");
  // A new connection is still answered during the drain delay.
  const fresh = await RawConnection.open(server.port!);
  assert.equal((await fresh.request("GET", "/")).status, 200);

  await guarded(manager[Symbol.asyncDispose](), GUARD_MS, "end of run");
  assert.deepEqual(await done, []);
  await guarded(connection.closed, GUARD_MS, "close of the connection");
  await guarded(fresh.closed, GUARD_MS, "close of the connection");
});
