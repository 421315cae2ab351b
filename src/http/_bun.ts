/**
 * The server adapter for Bun: `Bun.serve`. `stop(false)` stops accepting and
 * lets in-flight requests finish, and its promise resolves once they have
 * (`stop(true)` would cut them off); idle keep-alive connections are closed.
 *
 * @module
 */

import type { Handler } from "./handler.ts";
import { bindError, type Listener, type ListenOptions } from "./_listener.ts";

/** The part of Bun's API used here (Deno's type checker has no Bun types). */
interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    fetch: Handler;
  }): BunServer;
}

interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/**
 * Seconds a connection may send or receive nothing. Bun's default, 10,
 * would also cut off a handler that takes longer than that to answer.
 */
const IDLE_TIMEOUT_S = 255;

/** Serves `handler` with `Bun.serve`; throws if the bind fails. */
export function listenBun(handler: Handler, options: ListenOptions): Listener {
  const bun = (globalThis as unknown as { Bun: BunLike }).Bun;
  let server: BunServer;
  try {
    server = bun.serve({
      port: options.port,
      hostname: options.hostname,
      idleTimeout: IDLE_TIMEOUT_S,
      fetch: handler,
    });
  } catch (error) {
    throw bindError(options, error);
  }
  let closing: Promise<void> | undefined;
  return {
    hostname: server.hostname,
    port: server.port,
    close: () => closing ??= server.stop(false),
  };
}
