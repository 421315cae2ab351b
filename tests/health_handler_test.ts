/**
 * healthHandler against a fake manager (an object with `state` and
 * `snapshot()`), so these tests do not depend on the core's timing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ManagerSnapshot, ManagerState, TaskSnapshot } from "../mod.ts";
import { healthHandler, type HealthOptions } from "../src/http/mod.ts";
import { isSettled, latch } from "./helpers/tasks.ts";

const STATES: ManagerState[] = [
  "idle",
  "initializing",
  "running",
  "draining",
  "stopping",
  "stopped",
];

/** A manager stand-in whose state a test sets. */
function fakeManager(
  state: ManagerState = "running",
  tasks: TaskSnapshot[] = [],
) {
  return {
    state,
    since: Date.UTC(2026, 10, 29, 12),
    snapshot(): ManagerSnapshot {
      return { state: this.state, since: this.since, tasks };
    },
  };
}

async function probe(
  handler: (request: Request) => Response | Promise<Response>,
  path: string,
  method = "GET",
) {
  const response = await handler(
    new Request(`http://localhost${path}`, { method }),
  );
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    cache: response.headers.get("cache-control"),
    allow: response.headers.get("allow"),
    body: text && response.headers.get("content-type")?.includes("json")
      ? JSON.parse(text)
      : text,
  };
}

test("healthHandler: /livez is 200 in every state but stopped", async () => {
  for (const state of STATES) {
    const health = healthHandler(fakeManager(state));
    const { status, body, type, cache } = await probe(health, "/livez");
    const up = state !== "stopped";
    assert.equal(status, up ? 200 : 503, state);
    assert.deepEqual(body, { status: up ? "pass" : "fail" }, state);
    assert.equal(type, "application/health+json");
    assert.equal(cache, "no-store");
  }
});

test("healthHandler: /readyz is 200 only while running", async () => {
  for (const state of STATES) {
    const health = healthHandler(fakeManager(state));
    const { status, body, type, cache } = await probe(health, "/readyz");
    const up = state === "running";
    assert.equal(status, up ? 200 : 503, state);
    assert.deepEqual(body, { status: up ? "pass" : "fail" }, state);
    assert.equal(type, "application/health+json");
    assert.equal(cache, "no-store");
  }
});

test("healthHandler: the state is read per request", async () => {
  const manager = fakeManager("running");
  const health = healthHandler(manager);
  assert.equal((await probe(health, "/readyz")).status, 200);
  manager.state = "draining";
  assert.equal((await probe(health, "/readyz")).status, 503);
  assert.equal((await probe(health, "/livez")).status, 200);
  manager.state = "stopped";
  assert.equal((await probe(health, "/livez")).status, 503);
});

test("healthHandler: matched on the end of the path; 404 elsewhere, 405 for other methods", async () => {
  const health = healthHandler(fakeManager());
  for (const path of ["/readyz", "/api/v1/readyz", "/readyz?x=1"]) {
    assert.equal((await probe(health, path)).status, 200, path);
  }
  assert.equal((await probe(health, "/service/livez")).status, 200);
  for (const path of ["/", "/ready", "/readyz/", "/xreadyz", "/livez/x"]) {
    assert.equal((await probe(health, path)).status, 404, path);
  }
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
    const response = await probe(health, "/readyz", method);
    assert.equal(response.status, 405, method);
    assert.equal(response.allow, "GET, HEAD");
  }
  const head = await probe(health, "/livez", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.equal(head.type, "application/health+json");
  const down = await probe(
    healthHandler(fakeManager("draining")),
    "/readyz",
    "HEAD",
  );
  assert.equal(down.status, 503);
});

test("healthHandler: /readyz runs every check per request; one failing fails it", async () => {
  let calls = 0;
  let db = true;
  const health = healthHandler(fakeManager(), {
    checks: {
      cache: () => {
        calls++;
      },
      db: () => {
        if (!db) throw new Error("db down");
      },
    },
  });
  assert.equal((await probe(health, "/readyz")).status, 200);
  assert.equal((await probe(health, "/readyz")).status, 200);
  assert.equal(calls, 2, "no caching");
  db = false;
  assert.equal((await probe(health, "/readyz")).status, 503);
  // /livez runs no check and ignores them.
  assert.equal((await probe(health, "/livez")).status, 200);
  assert.equal(calls, 3);
});

test("healthHandler: a check fails when it throws, rejects, or runs past checkTimeout (its signal aborts)", async () => {
  const aborted = latch<unknown>();
  const cases: [string, HealthOptions["checks"], string][] = [
    ["throws", {
      x: () => {
        throw new Error("boom");
      },
    }, "boom"],
    ["rejects", { x: () => Promise.reject(new Error("no")) }, "no"],
    ["rejects with a string", { x: () => Promise.reject("plain") }, "plain"],
    ["never settles", {
      x: (signal) => {
        signal.addEventListener("abort", () => aborted.resolve(signal.reason));
        return new Promise(() => {});
      },
    }, "timed out after 20 ms"],
  ];
  for (const [what, checks, output] of cases) {
    const health = healthHandler(fakeManager(), { checks, checkTimeout: 20 });
    const { status, body } = await probe(health, "/readyz?verbose");
    assert.equal(status, 503, what);
    assert.equal(body.status, "fail", what);
    assert.equal(body.checks["check:x"][0].status, "fail", what);
    assert.equal(body.checks["check:x"][0].output, output, what);
  }
  const reason = await aborted.promise;
  assert.ok(reason instanceof DOMException);
  assert.equal(reason.name, "TimeoutError");
});

test("healthHandler: checks resolving in time pass, whatever they resolve with", async () => {
  const health = healthHandler(fakeManager(), {
    checks: {
      value: () => false,
      promise: () => Promise.resolve(undefined),
      thenable: () => ({ then: (ok: () => void) => ok() }),
    },
    checkTimeout: 0,
  });
  const { status, body } = await probe(health, "/readyz?verbose");
  assert.equal(status, 200);
  for (const name of ["value", "promise", "thenable"]) {
    assert.equal(body.checks[`check:${name}`][0].status, "pass", name);
  }
});

test("healthHandler: the response waits for the slowest check", async () => {
  const slow = latch();
  const health = healthHandler(fakeManager(), {
    checks: { slow: () => slow.promise, fast: () => {} },
  });
  const answer = probe(health, "/readyz");
  assert.equal(await isSettled(answer), false);
  slow.resolve();
  assert.equal((await answer).status, 200);
});

test("healthHandler: ?verbose shows the manager, each task's state and restarts, and each check", async () => {
  const since = Date.UTC(2026, 10, 29, 12, 30);
  const tasks: TaskSnapshot[] = [
    { name: "http", type: "strict", state: "running", since, restarts: 0 },
    {
      name: "worker",
      type: "strict",
      state: "restarting",
      since,
      restarts: 3,
      lastError: new Error("queue gone"),
    },
    {
      name: "job",
      type: "error",
      state: "failed",
      since,
      restarts: 0,
      // As the manager's snapshot shows an error.
      lastError: { name: "TypeError", message: "bad input" },
    },
    {
      name: "cron",
      type: "error",
      state: "running",
      since,
      restarts: 1,
      lastError: "a string",
    },
  ];
  const health = healthHandler(fakeManager("running", tasks), {
    checks: { db: () => {}, queue: () => Promise.reject(new Error("full")) },
  });
  const ready = await probe(health, "/readyz?verbose");
  assert.equal(ready.status, 503);
  const time = new Date(since).toISOString();
  const { checks } = ready.body;
  assert.deepEqual(checks["manager:state"], [{
    componentType: "system",
    observedValue: "running",
    status: "pass",
    time: "2026-11-29T12:00:00.000Z",
  }]);
  assert.deepEqual(checks["task:http"], [{
    componentType: "task",
    observedValue: "running",
    restarts: 0,
    status: "pass",
    time,
  }]);
  assert.deepEqual(checks["task:worker"], [{
    componentType: "task",
    observedValue: "restarting",
    restarts: 3,
    status: "warn",
    time,
    output: "queue gone",
  }]);
  assert.equal(checks["task:job"][0].status, "fail");
  assert.equal(checks["task:job"][0].output, "bad input");
  assert.equal(checks["task:cron"][0].output, "a string");
  assert.equal(checks["check:db"][0].status, "pass");
  assert.equal(checks["check:db"][0].observedUnit, "ms");
  assert.equal(typeof checks["check:db"][0].observedValue, "number");
  assert.deepEqual(
    { ...checks["check:queue"][0], observedValue: 0 },
    {
      componentType: "check",
      observedValue: 0,
      observedUnit: "ms",
      status: "fail",
      output: "full",
    },
  );

  // /livez: tasks, no checks.
  const live = await probe(health, "/livez?verbose");
  assert.equal(live.status, 200);
  assert.deepEqual(Object.keys(live.body.checks), [
    "manager:state",
    "task:http",
    "task:worker",
    "task:job",
    "task:cron",
  ]);
  // Without ?verbose: the status alone.
  assert.deepEqual((await probe(health, "/livez")).body, { status: "pass" });
});

test("healthHandler: bad arguments throw at once", () => {
  const manager = fakeManager();
  for (const bad of [undefined, null, {}, "manager", { state: "running" }]) {
    assert.throws(() => healthHandler(bad as never), TypeError, String(bad));
  }
  const typeErrors: unknown[] = [
    null,
    "x",
    { checks: "x" },
    { checks: [() => {}] },
    { checks: { db: "up" } },
    { checkTimeout: "1000" },
  ];
  for (const options of typeErrors) {
    assert.throws(
      () => healthHandler(manager, options as HealthOptions),
      TypeError,
      JSON.stringify(options),
    );
  }
  for (const checkTimeout of [-1, NaN, 2 ** 31]) {
    assert.throws(
      () => healthHandler(manager, { checkTimeout }),
      RangeError,
      String(checkTimeout),
    );
  }
  assert.throws(
    () => healthHandler(manager, { checks: { db: 1 as never } }),
    /options\.checks\["db"\] must be a function, got 1/,
  );
});
