/**
 * Picks the signals adapter for the running JavaScript runtime by feature
 * detection: `Deno.addSignalListener` first (Deno 2 also has a `process`
 * global), then `process.on` (Node.js, Bun). Anything else has no OS signals
 * and gets an error that names it, never a silent no-op.
 *
 * @module
 */

import { type DenoLike, denoRuntime } from "./deno_runtime.ts";
import { nodeRuntime, type ProcessLike } from "./node_runtime.ts";
import type { SignalRuntime } from "./signal_runtime.ts";

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
  const deno = globals.Deno;
  if (
    typeof deno?.addSignalListener === "function" &&
    typeof deno.removeSignalListener === "function"
  ) {
    return denoRuntime(deno as DenoLike);
  }
  const proc = globals.process;
  if (
    !deno && typeof proc?.on === "function" &&
    typeof (proc.off ?? proc.removeListener) === "function" &&
    typeof proc.exit === "function"
  ) {
    return nodeRuntime(proc as ProcessLike);
  }
  throw new Error(
    `OS signals are not available in ${
      describe(globals)
    }: @goasync/core/signals needs Deno (Deno.addSignalListener), Node.js or Bun (process.on). Stop the TaskManager with your own AbortSignal instead.`,
  );
}

let current: SignalRuntime | undefined;

/** The adapter for this process, detected once. */
export function currentRuntime(): SignalRuntime {
  return current ??= detectRuntime();
}

/** Names a runtime without OS signals as precisely as its globals allow. */
function describe(globals: RuntimeGlobals): string {
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
