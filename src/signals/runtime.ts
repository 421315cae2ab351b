/**
 * The runtime adapters: the only code that touches `Deno` or `process`. One
 * small adapter per runtime family (Deno; Node.js and Bun, which share
 * `node:process` semantics), picked by feature detection behind one
 * interface. A runtime without OS signals gets an error naming it, never a
 * silent no-op. Runtime quirks behind these choices: docs/runtime-notes.md.
 *
 * @module
 */

import type { OsSignal, SignalPlatform } from "./os_signal.ts";

/** One runtime's OS-signal and process primitives. */
export interface SignalRuntime {
  /** A human name for messages: "Deno 2.9.6", "Node.js v24.1.0", "Bun 1.4.5". */
  readonly name: string;
  /** Which signal numbering the operating system uses. */
  readonly platform: SignalPlatform;
  /** Installs a raw OS-signal listener. */
  listen(signal: OsSignal, listener: () => void): void;
  /** Removes a listener installed with `listen`. */
  unlisten(signal: OsSignal, listener: () => void): void;
  /** Writes text to standard error; resolves once the runtime has taken it. */
  writeStderr(text: string): Promise<void>;
  /**
   * Resolves once what was written to stdout and stderr has been handed to
   * the operating system, so that exiting next loses nothing.
   */
  flush(): Promise<void>;
  /** Ends the process with `code` at once. */
  exit(code: number): void;
}

/** The part of the `Deno` namespace the Deno adapter uses. */
export interface DenoLike {
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  exit(code?: number): never;
  build?: { os?: string };
  version?: { deno?: string };
  stderr?: { writeSync(bytes: Uint8Array): number };
}

/** A writable stream as `process.stdout` and `process.stderr` offer it. */
interface WritableLike {
  write(text: string, callback?: (error?: unknown) => void): boolean;
}

/** The part of Node's `process` object the Node.js/Bun adapter uses. */
export interface ProcessLike {
  on(event: string, listener: () => void): unknown;
  off?(event: string, listener: () => void): unknown;
  removeListener?(event: string, listener: () => void): unknown;
  exit(code?: number): never;
  platform?: string;
  version?: string;
  versions?: { bun?: string };
  stdout?: WritableLike;
  stderr?: WritableLike;
  getBuiltinModule?(id: string): unknown;
}

/** The globals detection looks at; `globalThis` outside tests. */
export interface RuntimeGlobals {
  Deno?: Partial<DenoLike>;
  process?: Partial<ProcessLike>;
  navigator?: { userAgent?: string };
  window?: unknown;
  WorkerGlobalScope?: unknown;
}

/**
 * Returns the adapter for the runtime whose globals are `globals`.
 *
 * @throws {Error} When the runtime has no OS signals; the message names it.
 */
export function detectRuntime(
  globals: RuntimeGlobals = globalThis as RuntimeGlobals,
): SignalRuntime {
  const { Deno: deno, process: proc } = globals;
  if (workerThread(proc)) {
    throw noSignals(
      "a worker thread (node:worker_threads, or a Bun Worker), to which the process's signals are never delivered",
      "Listen in the main thread and tell the worker, or stop its TaskManager with your own AbortSignal.",
    );
  }
  if (
    typeof deno?.addSignalListener === "function" &&
    typeof deno.removeSignalListener === "function"
  ) {
    return denoRuntime(deno as DenoLike);
  }
  if (
    !deno && typeof proc?.on === "function" &&
    typeof (proc.off ?? proc.removeListener) === "function" &&
    typeof proc.exit === "function"
  ) {
    return nodeRuntime(proc as ProcessLike);
  }
  throw noSignals(
    withoutSignals(globals),
    "Stop the TaskManager with your own AbortSignal instead.",
  );
}

let current: SignalRuntime | undefined;

/** The adapter for this process, detected once. */
export function currentRuntime(): SignalRuntime {
  return current ??= detectRuntime();
}

/**
 * Maps an OS name as `Deno.build.os` or `process.platform` spells it to the
 * family whose signal numbers it uses. Unknown systems are taken to be
 * Linux-like, the most common numbering.
 */
export function signalPlatform(os: string): SignalPlatform {
  switch (os) {
    case "windows":
    case "win32":
      return "windows";
    case "darwin":
    case "freebsd":
    case "openbsd":
    case "netbsd":
    case "aix":
      return "bsd";
    case "sunos":
    case "solaris":
    case "illumos":
      return "sunos";
    default:
      return "linux";
  }
}

/** Wraps a `Deno` namespace as a {@linkcode SignalRuntime}. */
export function denoRuntime(deno: DenoLike): SignalRuntime {
  const encoder = new TextEncoder();
  return {
    name: `Deno ${deno.version?.deno ?? ""}`.trim(),
    platform: signalPlatform(deno.build?.os ?? ""),
    listen: (signal, listener) => deno.addSignalListener(signal, listener),
    unlisten: (signal, listener) => deno.removeSignalListener(signal, listener),
    writeStderr(text) {
      // Synchronous, so nothing is pending when the process exits next.
      let bytes = encoder.encode(text);
      while (bytes.length > 0 && deno.stderr) {
        bytes = bytes.subarray(deno.stderr.writeSync(bytes));
      }
      return Promise.resolve();
    },
    // Deno's stdout and stderr writes (console included) are synchronous.
    flush: () => Promise.resolve(),
    exit: (code) => deno.exit(code),
  };
}

/**
 * How long to wait for a stream to confirm a write before exiting anyway: a
 * reader that stopped reading must not keep a stopping service alive.
 */
const FLUSH_GUARD_MS = 5_000;

/** Wraps a Node.js or Bun `process` object as a {@linkcode SignalRuntime}. */
export function nodeRuntime(proc: ProcessLike): SignalRuntime {
  const off = (proc.off ?? proc.removeListener)?.bind(proc);
  // A write's callback runs once it and every write before it on the stream
  // are done, so waiting for the last one covers them all.
  let lastStderr: Promise<void> = Promise.resolve();
  return {
    name: proc.versions?.bun
      ? `Bun ${proc.versions.bun}`
      : `Node.js ${proc.version ?? ""}`.trim(),
    platform: signalPlatform(proc.platform ?? ""),
    listen: (signal, listener) => void proc.on(signal, listener),
    unlisten: (signal, listener) => void off?.(signal, listener),
    writeStderr: (text) => lastStderr = written(proc.stderr, text),
    // `process.exit` drops what a stream has not written yet. An empty
    // write's callback marks the end of earlier writes on Node.js, not on
    // Bun, where stderr written through `writeStderr` is what is waited for.
    flush: () =>
      Promise.all([
        lastStderr,
        written(proc.stdout, ""),
        written(proc.stderr, ""),
      ]).then(() => {}),
    exit: (code) => proc.exit(code),
  };
}

/** Writes `text` and resolves once the stream is done with it (or gave up). */
function written(stream: WritableLike | undefined, text: string) {
  if (!stream) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const guard = setTimeout(resolve, FLUSH_GUARD_MS);
    const done = () => {
      clearTimeout(guard);
      resolve();
    };
    try {
      stream.write(text, done);
    } catch {
      done();
    }
  });
}

/**
 * Whether this code runs in a `node:worker_threads` worker (or a Bun
 * `Worker`, which says the same), where signal listeners install but never
 * fire. Asked without importing a `node:` module, which a browser lacks.
 * Deno's web workers say they are the main thread, and do get signals.
 */
function workerThread(proc: Partial<ProcessLike> | undefined): boolean {
  try {
    const threads = proc?.getBuiltinModule?.("node:worker_threads") as
      | { isMainThread?: unknown }
      | undefined;
    return threads?.isMainThread === false;
  } catch {
    return false;
  }
}

function noSignals(where: string, advice: string): Error {
  return new Error(
    `OS signals are not available in ${where}: @goasync/core/signals needs Deno (Deno.addSignalListener), Node.js or Bun (process.on) in the main thread. ${advice}`,
  );
}

/** Names a runtime without OS signals as precisely as its globals allow. */
function withoutSignals(globals: RuntimeGlobals): string {
  const agent = globals.navigator?.userAgent;
  if (globals.Deno) {
    // Deno Deploy and some embedders ship a Deno namespace without signals.
    return `this Deno runtime (${
      agent ?? "Deno"
    }), which has no Deno.addSignalListener (Deno Deploy, for one)`;
  }
  if (globals.WorkerGlobalScope !== undefined) {
    return `a web worker${agent ? ` (${agent})` : ""}`;
  }
  if (globals.window !== undefined) {
    return `a browser${agent ? ` (${agent})` : ""}`;
  }
  return agent ? `this runtime (${agent})` : "this JavaScript runtime";
}
