/**
 * httpServer on real sockets (127.0.0.1, a free port): options, binding,
 * serving, errors, cleanup. The drain has its own file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { TaskManager, TaskType } from "../mod.ts";
import { httpServer, type HttpServerOptions } from "../src/http/mod.ts";
import { guarded } from "./helpers/child.ts";
import { latch } from "./helpers/tasks.ts";
import { header, RawConnection, tryRequest } from "./http_helpers.ts";

const GUARD_MS = 10_000;
const LOCAL = { port: 0, hostname: "127.0.0.1" };
const ok = () => new Response("ok");

/** Runs `body` with a bound, serving server; drains it afterwards. */
async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  body: (port: number) => Promise<void>,
) {
  const server = httpServer(handler, LOCAL);
  const controller = new AbortController();
  await server.initialize(controller.signal);
  const executed = server.execute(controller.signal);
  try {
    await body(server.port!);
  } finally {
    controller.abort();
    await guarded(executed, GUARD_MS, "end of execute");
  }
}

/** Runs `body` with console.error captured. */
async function capturingErrors(body: (lines: unknown[][]) => Promise<void>) {
  const original = console.error;
  const lines: unknown[][] = [];
  console.error = (...args: unknown[]) => lines.push(args);
  try {
    await body(lines);
  } finally {
    console.error = original;
  }
}

test("httpServer: bad arguments throw at once", () => {
  const typeErrors: [unknown, unknown][] = [
    [undefined, undefined],
    ["handler", undefined],
    [ok, null],
    [ok, "8000"],
    [ok, { port: "8000" }],
    [ok, { port: null }],
    [ok, { hostname: null }],
    [ok, { hostname: 127 }],
    [ok, { hostname: "" }],
    [ok, { onListen: "yes" }],
  ];
  for (const [handler, options] of typeErrors) {
    assert.throws(
      () => httpServer(handler as never, options as HttpServerOptions),
      TypeError,
      `${String(handler)} ${JSON.stringify(options)}`,
    );
  }
  for (const port of [-1, 65536, 80.5, NaN, Infinity]) {
    assert.throws(() => httpServer(ok, { port }), RangeError, String(port));
  }
  assert.throws(
    () => httpServer(ok, { port: 1.5 }),
    /options\.port must be a whole number from 0 to 65535, got 1\.5/,
  );
  for (const port of [0, 1, 8000, 65535]) httpServer(ok, { port });
});

test("httpServer: initialize binds, reports the port, and calls onListen once", async () => {
  const calls: { hostname: string; port: number }[] = [];
  const server = httpServer(ok, {
    ...LOCAL,
    onListen: (address) => calls.push(address),
  });
  assert.equal(server.port, undefined);
  const controller = new AbortController();
  await server.initialize(controller.signal);
  assert.equal(typeof server.port, "number");
  assert.ok(server.port! > 0);
  assert.deepEqual(calls, [{ hostname: "127.0.0.1", port: server.port }]);
  assert.equal(await tryRequest(server.port!), 200);
  const executed = server.execute(controller.signal);
  controller.abort();
  await guarded(executed, GUARD_MS, "end of execute");
  await server.cleanup(controller.signal);
  assert.equal(calls.length, 1, "onListen once");
});

test("httpServer: a port in use fails initialize with a clear error", async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = blocker.address() as { port: number };
    let listened = false;
    const server = httpServer(ok, {
      port,
      hostname: "127.0.0.1",
      onListen: () => listened = true,
    });
    await assert.rejects(
      server.initialize(new AbortController().signal),
      (error: Error) => {
        assert.equal(
          error.message,
          `httpServer: cannot listen on 127.0.0.1:${port}: address already in use`,
        );
        assert.ok(error.cause !== undefined);
        return true;
      },
    );
    assert.equal(listened, false);
    assert.equal(server.port, undefined);
    await server.cleanup(new AbortController().signal);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test("httpServer: a port in use fails the manager's run in initialize", async () => {
  const first = httpServer(ok, LOCAL);
  const manager = new TaskManager();
  manager.addTask("first", first);
  manager.addTask("second", {
    initialize: () =>
      httpServer(ok, { port: first.port!, hostname: "127.0.0.1" })
        .initialize(new AbortController().signal),
    execute: () => {},
  });
  const errors = await guarded(manager.run(), GUARD_MS, "end of run");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].taskName, "second");
  assert.equal(errors[0].stage, "initialize");
  assert.match(
    String((errors[0].cause as Error).message),
    /address already in use/,
  );
  // The first server was cleaned up: its port is free again.
  assert.equal(await tryRequest(first.port!), "refused");
});

test("httpServer: cleanup after initialize without execute closes the listener", async () => {
  const server = httpServer(ok, LOCAL);
  const signal = new AbortController().signal;
  await server.initialize(signal);
  const port = server.port!;
  const idle = await RawConnection.open(port);
  assert.equal((await idle.request("GET", "/")).status, 200);
  await guarded(server.cleanup(signal), GUARD_MS, "end of cleanup");
  assert.equal(await tryRequest(port), "refused");
  await guarded(idle.closed, GUARD_MS, "close of the idle connection");
  // Again: nothing left to close.
  await server.cleanup(signal);
});

test("httpServer: execute binds when initialize was not called, and a restart binds again", async () => {
  const ports: number[] = [];
  const listening = latch();
  const server = httpServer(ok, {
    ...LOCAL,
    onListen: ({ port }) => {
      ports.push(port);
      listening.resolve();
    },
  });
  const first = new AbortController();
  const executed = server.execute(first.signal);
  // No initialize: execute binds, then serves.
  await guarded(listening.promise, GUARD_MS, "bind");
  assert.equal(await tryRequest(ports[0]), 200);
  first.abort();
  await guarded(executed, GUARD_MS, "end of execute");
  assert.equal(await tryRequest(ports[0]), "refused");

  // cleanup, initialize, execute again: what a restart does.
  const second = new AbortController();
  await server.cleanup(second.signal);
  await server.initialize(second.signal);
  assert.equal(ports.length, 2);
  assert.equal(server.port, ports[1]);
  assert.equal(await tryRequest(ports[1]), 200);
  const again = server.execute(second.signal);
  second.abort();
  await guarded(again, GUARD_MS, "end of execute");
  await server.cleanup(second.signal);

  // An already aborted signal without a bind: nothing to do.
  const third = httpServer(ok, LOCAL);
  await third.execute(AbortSignal.abort());
  assert.equal(third.port, undefined);
});

test("httpServer: onListen that throws fails initialize and releases the port", async () => {
  let port = 0;
  const server = httpServer(ok, {
    ...LOCAL,
    onListen: (address) => {
      port = address.port;
      throw new Error("no thanks");
    },
  });
  await assert.rejects(
    server.initialize(new AbortController().signal),
    /no thanks/,
  );
  assert.ok(port > 0);
  assert.equal(await tryRequest(port), "refused");
});

test("httpServer: serves a web-standard handler (method, URL, headers, body)", async () => {
  await withServer(async (request) => {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.text() : "";
    return new Response(
      JSON.stringify({
        method: request.method,
        path: url.pathname + url.search,
        accept: request.headers.get("x-accept"),
        body,
      }),
      { status: 201, headers: { "content-type": "application/json" } },
    );
  }, async (port) => {
    const connection = await RawConnection.open(port);
    const get = await connection.request("GET", "/a/b?c=1", {
      "x-accept": "text/plain",
    });
    assert.equal(get.status, 201);
    assert.equal(header(get, "content-type"), "application/json");
    // A body known in full is sent with its length, not chunked.
    assert.equal(header(get, "content-length"), String(get.body.length));
    assert.equal(header(get, "transfer-encoding"), undefined);
    assert.deepEqual(JSON.parse(get.body), {
      method: "GET",
      path: "/a/b?c=1",
      accept: "text/plain",
      body: "",
    });
    // Same connection: keep-alive.
    const post = await connection.request(
      "POST",
      "/jobs",
      {},
      "héllo".repeat(1000),
    );
    assert.equal(JSON.parse(post.body).body, "héllo".repeat(1000));
    const response = await fetch(`http://127.0.0.1:${port}/x`, {
      method: "POST",
      body: "from fetch",
    });
    assert.equal((await response.json()).body, "from fetch");
    await connection.close();
  });
});

test("httpServer: several set-cookie headers, HEAD, status and a streamed body", async () => {
  const methods: string[] = [];
  await withServer((request) => {
    methods.push(request.method);
    const headers = new Headers({ "x-one": "1" });
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("set-cookie", "b=2; Path=/");
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of ["one,", "two,", "three"]) {
          controller.enqueue(encoder.encode(part));
        }
        controller.close();
      },
    });
    return new Response(body, { status: 299, headers });
  }, async (port) => {
    const connection = await RawConnection.open(port);
    const get = await connection.request("GET", "/");
    assert.equal(get.status, 299);
    assert.equal(get.body, "one,two,three");
    assert.deepEqual(
      get.headers.filter(([name]) => name === "set-cookie").map(([, v]) => v),
      ["a=1; Path=/", "b=2; Path=/"],
    );
    assert.equal(header(get, "x-one"), "1");
    const head = await connection.request("HEAD", "/");
    assert.equal(head.status, 299);
    assert.equal(head.body, "");
    // The connection is still usable: HEAD sent no body.
    assert.equal((await connection.request("GET", "/")).body, "one,two,three");
    assert.deepEqual(methods, ["GET", "HEAD", "GET"]);
    await connection.close();
  });
});

test("httpServer: a handler that throws, rejects or returns no Response answers 500", async () => {
  await capturingErrors(async (lines) => {
    await withServer((request) => {
      const path = new URL(request.url).pathname;
      if (path === "/throw") throw new Error("thrown");
      if (path === "/reject") return Promise.reject(new Error("rejected"));
      if (path === "/string") return "not a response" as unknown as Response;
      return ok();
    }, async (port) => {
      const connection = await RawConnection.open(port);
      for (const path of ["/throw", "/reject", "/string"]) {
        const response = await connection.request("GET", path);
        assert.equal(response.status, 500, path);
        assert.equal(response.body, "Internal Server Error\n");
      }
      // The server is still up, and so is the connection.
      assert.equal((await connection.request("GET", "/")).status, 200);
      await connection.close();
    });
    assert.equal(lines.length, 3);
    assert.match(
      String(lines[0][0]),
      /^httpServer: GET http:\/\/127\.0\.0\.1(:\d+)?\/throw failed:$/,
    );
    assert.equal((lines[0][1] as Error).message, "thrown");
    assert.equal((lines[1][1] as Error).message, "rejected");
    assert.match(
      (lines[2][1] as Error).message,
      /must return a Response, got "not a response"/,
    );
  });
});

test("httpServer: request.signal aborts when the client goes away", async () => {
  const aborted = latch();
  const entered = latch();
  await withServer((request) => {
    entered.resolve();
    request.signal.addEventListener("abort", () => aborted.resolve());
    return new Promise<Response>((resolve) =>
      aborted.promise.then(() => resolve(ok()))
    );
  }, async (port) => {
    const connection = await RawConnection.open(port);
    connection.send("GET", "/");
    await guarded(entered.promise, GUARD_MS, "request");
    await connection.close();
    await guarded(aborted.promise, GUARD_MS, "abort of request.signal");
  });
});

test("httpServer: a task of a TaskManager, stopped by the manager", async () => {
  const server = httpServer(ok, LOCAL);
  const manager = new TaskManager();
  manager.addTask("http", server);
  manager.addTask("client", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(await response.text(), "ok");
  }, TaskType.StopGroup);
  assert.deepEqual(await guarded(manager.run(), GUARD_MS, "end of run"), []);
  assert.equal(await tryRequest(server.port!), "refused");
});
