/**
 * What each runtime's server adapter provides, and how one is picked: by
 * feature detection, `Deno.serve` first (Deno 2 also has `node:http`), then
 * `Bun.serve`, then `node:http`. Each adapter is loaded only where it runs.
 *
 * @module
 */

import { describe } from "../_internal/render.ts";
import type { Handler } from "./handler.ts";

/** Where to listen. */
export interface ListenOptions {
  port: number;
  hostname: string;
}

/** A bound, serving server. */
export interface Listener {
  /** The bound address, as the operating system reports it. */
  readonly hostname: string;
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish, closes
   * idle keep-alive connections, and resolves once every connection is
   * closed. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** Binds `options` and serves `handler`, which never throws. */
export async function listen(
  handler: Handler,
  options: ListenOptions,
): Promise<Listener> {
  const globals = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof (globals.Deno as { serve?: unknown })?.serve === "function") {
    const { listenDeno } = await import("./_deno.ts");
    return listenDeno(handler, options);
  }
  if (typeof (globals.Bun as { serve?: unknown })?.serve === "function") {
    const { listenBun } = await import("./_bun.ts");
    return listenBun(handler, options);
  }
  const { listenNode } = await import("./_node.ts");
  return listenNode(handler, options);
}

/**
 * The error for a failed bind, worded the same on every runtime; the
 * runtime's own error is its cause.
 */
export function bindError(options: ListenOptions, cause: unknown): Error {
  const host = options.hostname.includes(":")
    ? `[${options.hostname}]`
    : options.hostname;
  const inUse = isAddressInUse(cause);
  return new Error(
    `httpServer: cannot listen on ${host}:${options.port}: ${
      inUse ? "address already in use" : describe(cause)
    }`,
    { cause },
  );
}

function isAddressInUse(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === "EADDRINUSE" || name === "AddrInUse";
}
