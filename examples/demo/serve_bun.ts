/**
 * The HTTP adapter for Bun: `Bun.serve`. Measured on Bun 1.4.5: the promise
 * `server.stop(false)` returns resolves only once in-flight requests have
 * been answered, and idle keep-alive connections do not hold it up.
 *
 * @module
 */

import type { Handler, HttpServer, ServeOptions } from "./serve.ts";

/** The part of Bun's API this adapter uses (Deno's type checker has no Bun types). */
interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    fetch: Handler;
  }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
}

/**
 * Seconds a connection may send or receive nothing. Bun's default, 10,
 * would also cut off a handler that takes longer than that to answer.
 */
const IDLE_TIMEOUT_S = 60;

/** Serves `handler` with `Bun.serve`. */
export function serveBun(handler: Handler, options: ServeOptions): HttpServer {
  const bun = (globalThis as unknown as { Bun: BunLike }).Bun;
  const server = bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: IDLE_TIMEOUT_S,
    fetch: handler,
  });
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    engine: "Bun.serve",
    // false: let in-flight requests finish rather than cutting them off.
    shutdown: () => stopping ??= server.stop(false),
  };
}
