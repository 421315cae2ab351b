/**
 * The signals adapter for Node.js and Bun, built on `process.on(signal)`.
 *
 * On Node.js a signal listener does not keep the process alive; `runMain`
 * therefore holds the event loop open itself while the manager runs.
 *
 * @module
 */

import { signalPlatform } from "./os_signal.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

/** A writable stream as `process.stdout` and `process.stderr` offer it. */
interface WritableLike {
  write(text: string, callback?: (error?: unknown) => void): boolean;
}

/** The part of Node's `process` object this adapter uses. */
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
}

/**
 * How long to wait for a stream to confirm a write before exiting anyway: a
 * reader that stopped reading must not keep a stopping service alive.
 */
const FLUSH_GUARD_MS = 5_000;

/** Wraps a Node.js or Bun `process` object as a {@linkcode SignalRuntime}. */
export function nodeRuntime(proc: ProcessLike): SignalRuntime {
  const off = (proc.off ?? proc.removeListener)?.bind(proc);
  // The callback of a write runs once that write and every write before it
  // on the stream are done, so waiting for the last one covers them all.
  let lastStderr: Promise<void> = Promise.resolve();
  return {
    name: proc.versions?.bun
      ? `Bun ${proc.versions.bun}`
      : `Node.js ${proc.version ?? ""}`.trim(),
    platform: signalPlatform(proc.platform ?? ""),
    listen: (signal, listener) => void proc.on(signal, listener),
    unlisten: (signal, listener) => void off?.(signal, listener),
    writeStderr: (text) => lastStderr = written(proc.stderr, text),
    // `process.exit` drops what a stream has not written yet: measured with a
    // reader slower than the writer, Node.js 24 on Linux kept 256 of 5,000
    // lines on a pipe. Node.js runs an empty write's callback after the
    // writes before it; Bun 1.4.5 runs it at once, so on Bun only stderr
    // written through `writeStderr` is waited for (and console output, which
    // Bun writes synchronously).
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
