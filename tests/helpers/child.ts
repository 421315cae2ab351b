/**
 * The suite's one way to start a program as a fresh process: on the same
 * runtime the test runs on (Deno, Node.js or Bun), with real timers and real
 * OS signals, timing when each line came and when the process exited.
 *
 * ```ts
 * const child = spawnFixture(new URL("../fixtures/service.ts", import.meta.url));
 * await child.waitForLine("ready");           // the service is up
 * child.kill("SIGTERM");                      // a real signal
 * const { code, stdout, stderr } = await child.exited;
 *
 * // A program run to its end; how long it lived after it printed "resolved":
 * const result = await runProgram("tests/fixtures/real_clock/some.ts");
 * console.log(result.code, msAfterLine(result, "resolved"));
 * ```
 *
 * - The command: Deno runs `deno run -A <script>` with `Deno.execPath()`;
 *   Node.js (24+, which runs .ts directly) and Bun run `<execPath> <script>`.
 *   `NODE_TEST_CONTEXT` is removed from the child's environment. A
 *   relative path is relative to the repository's root, the child's working
 *   folder.
 * - Lines are stdout/stderr split on "\n", without the line ending; they
 *   are collected from the start, so waiting for a line already printed
 *   resolves at once.
 * - Every wait is guarded by a timeout (default 30 s) that kills the child
 *   with SIGKILL and rejects with everything it printed, so a hang fails the
 *   test with a useful message instead of blocking the run.
 * - Signals are sent with `process.kill(pid, signal)`, which works the same
 *   on all three runtimes (see `kill` for why not `ChildProcess.kill`).
 * - {@linkcode guarded} bounds any other wait; {@linkcode pause} is for the
 *   gaps a scenario itself prescribes ("a second SIGINT 20 ms later"),
 *   never for waiting until something has happened: wait for a line.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository's root folder: the children's working folder. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** What a finished child did. */
export interface ChildExit {
  /** The exit code, or `null` when a signal killed the child. */
  code: number | null;
  /** The signal that killed the child (e.g. "SIGTERM"), or `null`. */
  signal: string | null;
  /** Every stdout line. */
  stdout: string[];
  /** Every stderr line. */
  stderr: string[];
  /** When each stdout line arrived, in ms after the spawn (same indexes). */
  stdoutAt: number[];
  /** When each stderr line arrived, in ms after the spawn (same indexes). */
  stderrAt: number[];
  /** When the process exited, in ms after the spawn. */
  lived: number;
}

/** Options for {@linkcode spawnFixture}. */
export interface SpawnOptions {
  /** Arguments after the script's path. */
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** The guard, in ms, on each wait and on the child's whole life; default 30 000. */
  timeout?: number;
  /**
   * Do not read this stream until {@linkcode Child.release} is called: a
   * slow reader, whose pipe fills up, to check that a child flushes its
   * output before it exits. Wait for lines on the other stream meanwhile.
   */
  hold?: "stdout" | "stderr";
  /** Expose a forced garbage collector (`gc`; Bun always has `Bun.gc`). */
  exposeGc?: boolean;
}

/** A running fixture. */
export interface Child {
  /** The child's process id. */
  readonly pid: number;
  /** The stdout lines printed so far (live array). */
  readonly stdout: readonly string[];
  /** The stderr lines printed so far (live array). */
  readonly stderr: readonly string[];
  /**
   * Resolves with the first stdout line (or stderr line, with `stream`) that
   * equals `match` (a string) or matches it (a RegExp), including lines
   * already printed. Rejects if the child exits first or the guard expires.
   */
  waitForLine(
    match: string | RegExp,
    stream?: "stdout" | "stderr",
  ): Promise<string>;
  /** Starts reading the stream given as `hold`. */
  release(): void;
  /** Sends `signal` to the child (default SIGTERM); false if it has exited. */
  kill(signal?: NodeJS.Signals): boolean;
  /**
   * Settles once the child has exited and its output is closed. Rejects (after
   * a SIGKILL) if that takes longer than the guard.
   */
  readonly exited: Promise<ChildExit>;
}

/** The runtime this code runs on. */
export type RuntimeName = "deno" | "node" | "bun";

/** Which runtime the current test runs on. */
export function runtimeName(): RuntimeName {
  if ("Deno" in globalThis) return "deno";
  if (process.versions.bun) return "bun";
  return "node";
}

/** The command that runs `script` on the current runtime. */
export function commandFor(
  script: string,
  options: { exposeGc?: boolean } = {},
): [string, string[]] {
  const gc = options.exposeGc === true;
  const runtime = runtimeName();
  if (runtime === "deno") {
    const flags = gc ? ["--v8-flags=--expose-gc"] : [];
    return [Deno.execPath(), ["run", "-A", ...flags, script]];
  }
  // Node.js 24 runs .ts files directly; so does Bun.
  if (runtime === "node" && gc) {
    return [process.execPath, ["--expose-gc", script]];
  }
  return [process.execPath, [script]];
}

/**
 * Starts `script` (a path or file URL) on the current runtime with piped
 * stdio.
 */
export function spawnFixture(
  script: string | URL,
  options: SpawnOptions = {},
): Child {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const guard = options.timeout ?? 30_000;
  const [command, args] = commandFor(path, options);
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: "1",
    ...options.env,
  };
  // `node --test` marks its children; a fixture is not a test file.
  delete env.NODE_TEST_CONTEXT;
  const spawnedAt = performance.now();
  const since = () => performance.now() - spawnedAt;
  const proc = spawn(command, [...args, ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });

  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const times = { stdout: [] as number[], stderr: [] as number[] };
  let lived = NaN;
  proc.on("exit", () => lived = since());
  const waiters = new Set<() => void>();
  let done = false;
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  for (const name of ["stdout", "stderr"] as const) {
    let partial = "";
    const stream = proc[name]!;
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      const at = since();
      for (const line of parts) {
        lines[name].push(line.replace(/\r$/, ""));
        times[name].push(at);
      }
      wake();
    });
    stream.on("end", () => {
      if (partial) {
        lines[name].push(partial);
        times[name].push(since());
      }
      partial = "";
      wake();
    });
    if (options.hold === name) stream.pause();
  }

  const describe = (why: string) =>
    new Error(
      `${why}\n--- stdout ---\n${lines.stdout.join("\n")}\n--- stderr ---\n${
        lines.stderr.join("\n")
      }`,
    );

  const exited = new Promise<ChildExit>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(describe(`the child did not exit within ${guard} ms`));
    }, guard);
    proc.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // "close" comes after the exit and after stdout and stderr have ended.
    proc.on("close", (code, signal) => {
      clearTimeout(timer);
      done = true;
      wake();
      if (Number.isNaN(lived)) lived = since();
      resolve({
        code,
        signal,
        stdout: lines.stdout,
        stderr: lines.stderr,
        stdoutAt: times.stdout,
        stderrAt: times.stderr,
        lived,
      });
    });
  });
  // A test that fails early must not also report an unhandled rejection.
  exited.catch(() => {});

  function waitForLine(
    match: string | RegExp,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<string> {
    const test = (line: string) =>
      typeof match === "string" ? line === match : match.test(line);
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines[stream].find(test);
        if (found !== undefined) finish(() => resolve(found));
        else if (done) {
          finish(() =>
            reject(describe(`the child exited before printing ${match}`))
          );
        }
      };
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        finish(() =>
          reject(describe(`no line ${match} on ${stream} within ${guard} ms`))
        );
      }, guard);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  }

  return {
    pid: proc.pid!,
    stdout: lines.stdout,
    stderr: lines.stderr,
    waitForLine,
    release() {
      if (options.hold) proc[options.hold]!.resume();
    },
    kill(signal = "SIGTERM") {
      if (done) return false;
      // Not proc.kill: Deno's node:child_process (2.9.6) sends only the first
      // signal (later kills return false, denoland/deno#36643) and then
      // reports that signal as the cause of the exit even when the child
      // exited by itself with a code. process.kill sends every time.
      try {
        process.kill(proc.pid!, signal);
        return true;
      } catch {
        return false;
      }
    },
    exited,
  };
}

/**
 * Runs `script` (a path relative to the repository, or a file URL) on the
 * current runtime to its end: {@linkcode spawnFixture}'s `exited`, for a
 * program that needs no signal or line-by-line wait.
 */
export function runProgram(
  script: string | URL,
  options: Omit<SpawnOptions, "hold"> = {},
): Promise<ChildExit> {
  return spawnFixture(script, options).exited;
}

/**
 * How long the process lived after the first stdout line equal to `match`
 * (or matching it) arrived, in ms; `undefined` when no line matched. A timer
 * left behind shows up here as a long tail.
 */
export function msAfterLine(
  result: ChildExit,
  match: string | RegExp,
): number | undefined {
  const at = result.stdout.findIndex((line) =>
    typeof match === "string" ? line === match : match.test(line)
  );
  return at === -1 ? undefined : result.lived - result.stdoutAt[at];
}

/** Resolves after `ms` milliseconds; only for gaps a scenario asks for. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for `promise`, failing after `ms` instead of hanging. The guard is a
 * ref'd timer, which also keeps the event loop alive while a test waits for a
 * signal: a signal listener alone does not, on Node.js, Bun, or Deno.
 */
export async function guarded<T>(
  promise: Promise<T>,
  ms = 30_000,
  what = "the awaited event",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** A finished child's exit, lifetime and output, for an assertion's message. */
export function explain(result: ChildExit): string {
  return `exit ${result.code} (${result.signal}) after ${
    result.lived.toFixed(0)
  } ms\n--- stdout ---\n${result.stdout.join("\n")}\n--- stderr ---\n${
    result.stderr.join("\n")
  }`;
}
