/**
 * httpServer's drain on real sockets (127.0.0.1, a free port), the same on
 * Deno, Node.js and Bun: after the abort no new connection is answered,
 * requests in flight get their responses, idle keep-alive connections are
 * closed, and `execute` resolves only once all of that is done.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { httpServer } from "../src/http/mod.ts";
import { guarded } from "./helpers/child.ts";
import { isSettled, latch } from "./helpers/tasks.ts";
import { header, RawConnection, tryRequest } from "./http_helpers.ts";

/** Bounds each wait; a working server takes milliseconds. */
const GUARD_MS = 10_000;

/** A server whose `/slow` requests wait for `release`. */
async function slowServer() {
  const release = latch();
  const entered = latch();
  const server = httpServer(async (request) => {
    if (new URL(request.url).pathname === "/slow") {
      entered.resolve();
      await release.promise;
      return new Response("slow done");
    }
    return new Response("ok");
  }, { port: 0, hostname: "127.0.0.1" });
  const controller = new AbortController();
  await server.initialize(controller.signal);
  const executed = server.execute(controller.signal);
  return { server, port: server.port!, controller, executed, release, entered };
}

test("httpServer drain: idle keep-alive closed at once, in-flight answered, new connections refused, execute waits", async () => {
  const { port, controller, executed, release, entered } = await slowServer();

  // An idle keep-alive connection, and a busy one.
  const idle = await RawConnection.open(port);
  assert.equal((await idle.request("GET", "/")).status, 200);
  const busy = await RawConnection.open(port);
  assert.equal((await busy.request("GET", "/")).status, 200);
  const slow = busy.request("GET", "/slow");
  await guarded(entered.promise, GUARD_MS, "slow request");

  controller.abort();
  // The idle connection is closed while the slow request is still running.
  await guarded(idle.closed, GUARD_MS, "close of the idle connection");
  // A new connection is never answered.
  const attempt = await guarded(tryRequest(port), GUARD_MS, "new connection");
  assert.ok(attempt === "refused" || attempt === "closed", `got ${attempt}`);
  assert.equal(await isSettled(executed), false, "execute waits for the drain");
  assert.equal(busy.isClosed, false);

  release.resolve();
  const response = await guarded(slow, GUARD_MS, "slow response");
  assert.equal(response.status, 200);
  assert.equal(response.body, "slow done");
  await guarded(executed, GUARD_MS, "end of execute");
  // The busy connection ends with its response.
  await guarded(busy.closed, GUARD_MS, "close of the busy connection");
  assert.equal(await tryRequest(port), "refused");
});

test("httpServer drain: a response streaming when the abort comes is finished, then its connection closed", async () => {
  const second = latch();
  const started = latch();
  const server = httpServer(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first,"));
          started.resolve();
          await second.promise;
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        },
      }),
    ), { port: 0, hostname: "127.0.0.1" });
  const controller = new AbortController();
  await server.initialize(controller.signal);
  const executed = server.execute(controller.signal);

  const connection = await RawConnection.open(server.port!);
  connection.send("GET", "/");
  const head = await guarded(connection.readHead(), GUARD_MS, "head");
  assert.equal(head.status, 200);
  assert.equal(header({ ...head, body: "" }, "transfer-encoding"), "chunked");
  await guarded(started.promise, GUARD_MS, "first chunk");
  assert.equal(
    await guarded(connection.readChunk(), GUARD_MS, "chunk"),
    "first,",
  );

  controller.abort();
  assert.equal(await isSettled(executed), false);
  second.resolve();
  assert.equal(
    await guarded(connection.readChunk(), GUARD_MS, "chunk"),
    "second",
  );
  assert.equal(await guarded(connection.readChunk(), GUARD_MS, "end"), "");
  await guarded(executed, GUARD_MS, "end of execute");
  await guarded(connection.closed, GUARD_MS, "close of the connection");
});

test("httpServer drain: with nothing open, execute resolves and the port is released", async () => {
  const { port, controller, executed } = await slowServer();
  assert.equal(await tryRequest(port), 200);
  controller.abort();
  await guarded(executed, GUARD_MS, "end of execute");
  assert.equal(await tryRequest(port), "refused");
});
