import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import {
  assertOsSignal,
  OS_SIGNALS,
  signalNumber,
} from "../src/signals/os_signal.ts";
import { signalPlatform } from "../src/signals/runtime.ts";

test("signal numbers match what this system reports in os.constants.signals", () => {
  const platform = signalPlatform(os.platform());
  const reported = os.constants.signals as Record<string, number | undefined>;
  let compared = 0;
  for (const signal of OS_SIGNALS) {
    const expected = reported[signal];
    if (expected === undefined) {
      assert.throws(() => signalNumber(signal, platform), /does not exist/);
    } else {
      assert.equal(signalNumber(signal, platform), expected, signal);
      compared++;
    }
  }
  assert.ok(compared >= 4, `compared only ${compared} signals`);
});

test("signal numbers per platform give the conventional 128 + n exit codes", () => {
  const linux = OS_SIGNALS.filter((s) => s !== "SIGBREAK")
    .map((s) => [s, 128 + signalNumber(s, "linux")]);
  assert.deepEqual(Object.fromEntries(linux), {
    SIGINT: 130,
    SIGTERM: 143,
    SIGHUP: 129,
    SIGQUIT: 131,
    SIGUSR1: 138,
    SIGUSR2: 140,
  });
  assert.equal(signalNumber("SIGUSR1", signalPlatform("darwin")), 30);
  assert.equal(signalNumber("SIGUSR2", signalPlatform("darwin")), 31);
  assert.equal(signalNumber("SIGBREAK", signalPlatform("win32")), 21);
  assert.equal(signalNumber("SIGBREAK", signalPlatform("windows")), 21);
  assert.equal(signalNumber("SIGUSR1", signalPlatform("sunos")), 16);
});

test("an unknown signal name is a TypeError that names it", () => {
  for (const bad of ["SIGKILL", "sigint", "INT", "", 2, undefined, null]) {
    assert.throws(
      () => assertOsSignal(bad, "linux", "addSignalListener"),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message.includes(
          `addSignalListener: unknown signal ${
            typeof bad === "string" ? JSON.stringify(bad) : String(bad)
          }`,
        ) && error.message.includes("SIGINT, SIGTERM"),
    );
  }
});

test("SIGBREAK outside Windows, and SIGQUIT/SIGUSR1/SIGUSR2 on Windows, are clear errors", () => {
  assert.throws(
    () => assertOsSignal("SIGBREAK", "linux", "runMain"),
    (error: unknown) =>
      error instanceof Error && !(error instanceof TypeError) &&
      /runMain: SIGBREAK does not exist on this system.*only Windows/.test(
        error.message,
      ),
  );
  assert.throws(() => assertOsSignal("SIGBREAK", "bsd", "x"), /only Windows/);
  for (const signal of ["SIGQUIT", "SIGUSR1", "SIGUSR2"]) {
    assert.throws(
      () => assertOsSignal(signal, "windows", "x"),
      new RegExp(`${signal} does not exist on Windows`),
    );
  }
  assert.doesNotThrow(() => assertOsSignal("SIGBREAK", "windows", "x"));
  assert.doesNotThrow(() => assertOsSignal("SIGINT", "windows", "x"));
});
