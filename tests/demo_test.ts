import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Child, spawnFixture } from "./helpers/child.ts";

const DEMO = new URL("../examples/demo/main.ts", import.meta.url);
const GUARD_MS = 60_000;
/**
 * The slow request's length. The test sends SIGTERM as soon as the demo
 * says the request started, so this only has to outlast that round trip.
 */
const SLOW_MS = 4_000;

/** Starts the demo on a free port; resolves with it and its base URL. */
async function startDemo(args: string[] = []) {
  const child = spawnFixture(DEMO, {
    args: ["--port", "0", ...args],
    timeout: GUARD_MS,
  });
  const line = await child.waitForLine(/^http: listening on http:\/\//);
  const url = /^http: listening on (http:\/\/\S+)$/.exec(line)?.[1];
  assert.ok(url, line);
  assert.match(url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/, "the picked port");
  return { child, url };
}

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text() };
}

/** Asserts that `expected` lines occur in `lines` in this order. */
function assertInOrder(
  lines: readonly string[],
  expected: (string | RegExp)[],
) {
  let from = 0;
  for (const want of expected) {
    const at = lines.findIndex((line, i) =>
      i >= from && (typeof want === "string" ? line === want : want.test(line))
    );
    assert.ok(
      at !== -1,
      `expected ${want} after line ${from} in:\n${lines.join("\n")}`,
    );
    from = at + 1;
  }
}

async function stopCleanly(child: Child) {
  child.kill("SIGTERM");
  const { code, signal, stdout, stderr } = await child.exited;
  assert.equal(signal, null);
  assert.equal(code, 0, `${stdout.join("\n")}\n${stderr.join("\n")}`);
  assert.deepEqual(stderr.filter((line) => line !== ""), []);
  return stdout;
}

test("demo: serves requests, finishes an in-flight request after SIGTERM, exits 0", async () => {
  const { child, url } = await startDemo();

  assert.deepEqual(await get(`${url}/`), {
    status: 200,
    body: "hello from the goasync demo\n",
  });
  assert.deepEqual(
    await get(`${url}/jobs`, { method: "POST", body: "resize photo" }),
    {
      status: 202,
      body: "job 1 queued\n",
    },
  );
  await child.waitForLine("worker: job 1 done (12 bytes)");

  const slow = get(`${url}/slow?ms=${SLOW_MS}`);
  // Awaited below; this only keeps an earlier failure from also being
  // reported as an unhandled rejection in the next test.
  slow.catch(() => {});
  await child.waitForLine(`http: GET /slow?ms=${SLOW_MS} started`);
  const stdout = await stopCleanly(child);
  // The request was in flight when the shutdown began, and still got its answer.
  assert.deepEqual(await slow, { status: 200, body: `waited ${SLOW_MS} ms\n` });

  assertInOrder(stdout, [
    /^demo: starting \(pid \d+\)/,
    'config: loaded from built-in defaults (greeting "hello")',
    /^http: listening on /,
    "worker: started",
    "worker: job 1 done (12 bytes)",
    `http: GET /slow?ms=${SLOW_MS} started`,
    "demo: received SIGTERM, shutting down gracefully",
    "http: shutting down, 1 request in flight",
    "worker: stopped after 1 job",
    "http: drained",
    "http: closed",
    "demo: shutdown complete",
  ]);
  assert.equal(stdout.at(-1), "demo: shutdown complete");
});

test("demo: SIGHUP reloads the config without stopping the server", async () => {
  const dir = await mkdtemp(join(tmpdir(), "goasync-demo-"));
  try {
    const file = join(dir, "config.json");
    await writeFile(file, JSON.stringify({ greeting: "hello" }));
    const { child, url } = await startDemo(["--config", file]);
    assert.equal((await get(`${url}/`)).body, "hello from the goasync demo\n");

    await writeFile(file, JSON.stringify({ greeting: "bonjour" }));
    child.kill("SIGHUP");
    await child.waitForLine(
      `config: reloaded from ${file} (greeting "bonjour")`,
    );
    // Same server, same port, new greeting.
    assert.deepEqual(await get(`${url}/`), {
      status: 200,
      body: "bonjour from the goasync demo\n",
    });

    // A broken file does not take the service down: the old config stays.
    await writeFile(file, '{"greeting": ');
    child.kill("SIGHUP");
    await child.waitForLine(
      /^config: reload failed, keeping the previous config: /,
    );
    assert.equal(
      (await get(`${url}/`)).body,
      "bonjour from the goasync demo\n",
    );

    const stdout = await stopCleanly(child);
    assert.equal(
      stdout.filter((line) => line.startsWith("http: listening")).length,
      1,
      "the server was started once",
    );
    assertInOrder(stdout, [
      `config: loaded from ${file} (greeting "hello")`,
      /^http: listening on /,
      `config: reloaded from ${file} (greeting "bonjour")`,
      /^config: reload failed/,
      "demo: received SIGTERM, shutting down gracefully",
      "http: shutting down, 0 requests in flight",
      "http: drained",
      "demo: shutdown complete",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("demo: a bad --port or --drain-delay is refused with a clear message and exit code 2", async () => {
  const cases: [string[], string][] = [
    ...["abc", "65536", "-1", "80.5", "1e3", ""].map((port): [
      string[],
      string,
    ] => [
      ["--port", port],
      `demo: --port must be a whole number from 0 to 65535, got ${
        JSON.stringify(port)
      }`,
    ]),
    [["--port"], "demo: --port needs a value"],
    ...["-5", "600001", "1.5", "soon"].map((ms): [string[], string] => [
      ["--drain-delay", ms],
      `demo: --drain-delay must be a whole number from 0 to 600000, got ${
        JSON.stringify(ms)
      }`,
    ]),
    [["--prot", "80"], 'demo: unknown option "--prot"'],
  ];
  for (const [args, message] of cases) {
    const child = spawnFixture(DEMO, { args, timeout: GUARD_MS });
    const { code, stdout, stderr } = await child.exited;
    assert.equal(code, 2, args.join(" "));
    assert.deepEqual(stdout.filter((line) => line !== ""), []);
    assert.equal(stderr[0], message);
    assert.equal(
      stderr[1],
      "usage: demo [--port N] [--hostname HOST] [--drain-delay MS] [--config FILE]",
    );
  }
});

test("demo: a port in use stops it before it serves, with exit code 1", async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = blocker.address() as { port: number };
    const child = spawnFixture(DEMO, {
      args: ["--port", String(port)],
      timeout: GUARD_MS,
    });
    const { code, stdout, stderr } = await child.exited;
    assert.equal(code, 1);
    assert.match(stderr[0], /^goasync: task "http" failed in initialize: /);
    assert.ok(!stdout.some((line) => line.startsWith("http: listening")));
    // The config task, initialized before, was still cleaned up.
    assert.equal(stdout.at(-1), "demo: shutdown complete");
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test("demo: health endpoints, and a worker that crashes is restarted by its policy", async () => {
  const { child, url } = await startDemo();
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(ready.headers.get("content-type"), "application/health+json");
  assert.deepEqual(await ready.json(), { status: "pass" });
  const live = await (await fetch(`${url}/livez?verbose`)).json();
  assert.equal(live.status, "pass");
  assert.deepEqual(
    Object.keys(live.checks),
    [
      "manager:state",
      "task:lifecycle",
      "task:config",
      "task:http",
      "task:worker",
      "task:stats",
    ],
  );

  assert.equal(
    (await get(`${url}/jobs`, { method: "POST", body: "crash" })).status,
    202,
  );
  await child.waitForLine(
    /^demo: task "worker" failed \(job 1 asked the worker to crash\), restarting in \d+ ms$/,
  );
  assert.equal(
    (await get(`${url}/jobs`, { method: "POST", body: "after" })).status,
    202,
  );
  await child.waitForLine("worker: job 2 done (5 bytes)");
  const verbose = await (await fetch(`${url}/readyz?verbose`)).json();
  assert.equal(verbose.checks["task:worker"][0].restarts, 1);
  assert.equal(
    verbose.checks["task:worker"][0].output,
    "job 1 asked the worker to crash",
  );

  const stdout = await stopCleanly(child);
  assert.equal(
    stdout.filter((line) => line === "worker: started").length,
    2,
    "started, then restarted once",
  );
});
