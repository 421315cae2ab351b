/**
 * The fakes' types, checked by `deno check` (it fails on a wrong type or an
 * unused `@ts-expect-error`); the test runs the same lines, so they also
 * behave as typed.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type {
  AsyncTaskManager,
  ManagerState,
  TaskError,
  TaskEvent,
  TaskManager,
} from "../mod.ts";
import {
  type Fake,
  FakeExecuteTask,
  FakeTask,
  FakeTaskManager,
} from "../src/testing/mod.ts";

test("FakeTaskManager's listeners are typed by event name, without casts", () => {
  const manager = new FakeTaskManager();
  const delays: (number | undefined)[] = [];
  manager.addEventListener("taskrestart", (e) => delays.push(e.delay));
  manager.addEventListener("taskstop", (e) => {
    const attempt: number = e.attempt;
    const name: string = e.taskName;
    return [attempt, name];
  });
  manager.addEventListener("statechange", function (e) {
    const to: ManagerState = e.to;
    const tasks: number = this.tasks.length; // `this` is the fake
    // @ts-expect-error: a state change has no delay
    return [to, tasks, e.delay];
  });
  manager.addEventListener("taskerror", (e) => {
    const error: TaskError = e.error;
    return error.taskName;
  });
  // Other names and listener objects take the EventTarget signature.
  manager.addEventListener("custom", (e: Event) => e.type);
  manager.addEventListener("taskstart", {
    handleEvent(e: Event) {
      return e.type;
    },
  });
  const onRestart = (e: TaskEvent) => delays.push(e.delay);
  manager.addEventListener("taskrestart", onRestart);
  manager.removeEventListener("taskrestart", onRestart);
  assert.ok(true);
});

test("FakeTaskManager stands in for an AsyncTaskManager and takes options in both forms", () => {
  const manager = new FakeTaskManager();
  const asManager: AsyncTaskManager = manager;
  asManager.addTask("a", () => {});
  manager.addTask("b", () => {}, "stop-group");
  manager.addTask("c", () => {}, { restart: "permanent", backoff: {} });
  manager.addExecuteTask("d", () => {}, { type: "error" });
  // @ts-expect-error: not an execute-task type
  assert.throws(() => manager.addExecuteTask("e", () => {}, "stop-group"));
  // @ts-expect-error: not a restart policy
  assert.throws(() => manager.addTask("f", () => {}, { restart: "always" }));
  // @ts-expect-error: not a manager state
  assert.throws(() => manager.state = "paused");
  const state: ManagerState = manager.state;
  assert.equal(state, "idle");
  assert.equal(manager.tasks.length, 4);
});

test("FakeTaskManager fits where code takes a TaskManager's public parts", async () => {
  const manager = new FakeTaskManager();
  const observed: Pick<
    TaskManager,
    | "addTask"
    | "addExecuteTask"
    | "run"
    | "state"
    | "snapshot"
    | "stop"
    | "addEventListener"
    | "removeEventListener"
    | "dispatchEvent"
    | typeof Symbol.asyncDispose
  > = manager;
  observed.stop();
  assert.deepEqual(await observed.run(), []);
  assert.equal(observed.snapshot().state, "idle");
});

test("Every fake is a Fake over its own methods", () => {
  const fakes: Fake<string>[] = [
    new FakeTask(),
    new FakeExecuteTask(),
    new FakeTaskManager(),
  ];
  const task: Fake<"initialize" | "execute" | "cleanup"> = new FakeTask("t");
  assert.deepEqual(task.callsOf("initialize"), []);
  // @ts-expect-error: a FakeExecuteTask has no run
  assert.throws(() => new FakeExecuteTask("x").callsOf("run"), TypeError);
  assert.deepEqual(fakes.map((fake) => fake.calls.length), [0, 0, 0]);
});
