/**
 * The signals adapter for Deno, built on `Deno.addSignalListener`.
 *
 * While a top-level `await` is pending, Deno keeps the process alive as long
 * as any signal listener is registered (measured on Deno 2.9.6; without a
 * pending top-level `await` a listener does not keep it alive), so the layer
 * above removes every listener it no longer needs.
 *
 * @module
 */

import { signalPlatform } from "./os_signal.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

/** The part of the `Deno` namespace this adapter uses. */
export interface DenoLike {
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  exit(code?: number): never;
  build?: { os?: string };
  version?: { deno?: string };
  stderr?: { writeSync(bytes: Uint8Array): number };
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
