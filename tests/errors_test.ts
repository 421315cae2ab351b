import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ShutdownTimeoutError,
  Stage,
  TaskError,
  TaskType,
  UnexpectedStopError,
} from "../mod.ts";

test("TaskError keeps its task, stage, type and cause untouched", () => {
  const cause = { code: 42 };
  const error = new TaskError("db", Stage.Initialize, cause, TaskType.Error);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "TaskError");
  assert.equal(error.taskName, "db");
  assert.equal(error.stage, "initialize");
  assert.equal(error.taskType, "error");
  assert.equal(error.cause, cause);
  assert.equal(error.message, 'task "db" failed in initialize: {"code":42}');
});

test("TaskError describes any thrown value without throwing itself", () => {
  const hostile = {
    toJSON() {
      throw new Error("no");
    },
  };
  const cases: [unknown, string][] = [
    [new Error("boom"), "boom"],
    ["a string", "a string"],
    [undefined, "undefined"],
    [null, "null"],
    [7, "7"],
    [Symbol("s"), "Symbol(s)"],
    [hostile, "(a value that cannot be described)"],
  ];
  for (const [cause, text] of cases) {
    const error = new TaskError("t", Stage.Execute, cause);
    assert.equal(error.message, `task "t" failed in execute: ${text}`);
    assert.equal(error.cause, cause);
    assert.ok(Object.hasOwn(error, "cause"));
  }
});

test("UnexpectedStopError and ShutdownTimeoutError name the task", () => {
  const early = new UnexpectedStopError("server");
  assert.equal(early.name, "UnexpectedStopError");
  assert.match(early.message, /"server" returned before the manager stopped/);
  const late = new ShutdownTimeoutError("worker", Stage.Execute, 250);
  assert.equal(late.name, "ShutdownTimeoutError");
  assert.match(
    late.message,
    /"worker" did not finish execute within .* 250 ms/,
  );
});
