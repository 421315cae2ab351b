/**
 * What the benchmark worker needs to know about the runtime it runs on: its
 * name and version, a forced garbage collection, and how many bytes are
 * retained. The only bench file that looks at `Deno`, `Bun` or `process`.
 *
 * @module
 */

import process from "node:process";

/** The runtimes the benchmarks run on. */
export type RuntimeName = "deno" | "node" | "bun";

interface RuntimeGlobals {
  Deno?: { version: { deno: string; v8: string } };
  Bun?: { version: string; gc(force: boolean): void };
  gc?: () => void;
}

const globals = globalThis as unknown as RuntimeGlobals;

/**
 * Which runtime this is, found by feature detection.
 *
 * @example
 * ```ts
 * import { runtimeName } from "./platform.ts";
 *
 * console.log(runtimeName()); // "deno" under Deno
 * ```
 */
export function runtimeName(): RuntimeName {
  if (globals.Bun !== undefined) return "bun";
  if (globals.Deno !== undefined) return "deno";
  return "node";
}

/**
 * The runtime's own version string.
 *
 * @example
 * ```ts
 * import { runtimeVersion } from "./platform.ts";
 *
 * console.log(runtimeVersion());
 * ```
 */
export function runtimeVersion(): string {
  if (globals.Bun !== undefined) return globals.Bun.version;
  if (globals.Deno !== undefined) return globals.Deno.version.deno;
  return process.version.replace(/^v/, "");
}

/**
 * Runs a full, synchronous garbage collection when the runtime offers one
 * (Node `--expose-gc`, Deno `--v8-flags=--expose-gc`, Bun always); returns
 * whether it could.
 *
 * @example
 * ```ts
 * import { collectGarbage } from "./platform.ts";
 *
 * collectGarbage();
 * ```
 */
export function collectGarbage(): boolean {
  if (globals.Bun !== undefined) {
    globals.Bun.gc(true);
    return true;
  }
  if (typeof globals.gc === "function") {
    globals.gc();
    return true;
  }
  return false;
}

/** Where {@linkcode retainedBytes} reads its figure, for the report. */
export const RETAINED_BYTES_SOURCE: Record<RuntimeName, string> = {
  deno: "V8 heapUsed after a forced GC, all samples in one process",
  node: "V8 heapUsed after a forced GC, all samples in one process",
  bun: "RSS growth after Bun.gc(true), one fresh process per sample",
};

/**
 * Bytes the program holds now. On V8 (Deno, Node) that is the JS heap in use,
 * which holds an `AbortSignal` whole. Bun keeps most of an `AbortSignal`
 * outside the JS heap (about 1 KB per signal with a listener, against about
 * 0.15 KB that its heapUsed sees), so on Bun it is the resident set size;
 * that is only meaningful in a fresh process, where freed pages of earlier
 * samples cannot blur it, so the harness starts one per Bun heap sample.
 *
 * @example
 * ```ts
 * import { retainedBytes } from "./platform.ts";
 *
 * console.log(retainedBytes() > 0);
 * ```
 */
export function retainedBytes(): number {
  const usage = process.memoryUsage();
  return globals.Bun !== undefined ? usage.rss : usage.heapUsed;
}

/**
 * CPU time this process has used so far, user and system, in milliseconds
 * (all threads, so a runtime's GC helper threads count too). Unlike wall
 * time it hardly moves when other programs load the machine.
 *
 * @example
 * ```ts
 * import { cpuMillis } from "./platform.ts";
 *
 * console.log(cpuMillis() >= 0);
 * ```
 */
export function cpuMillis(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
