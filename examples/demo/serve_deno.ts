/**
 * The HTTP adapter for Deno: `Deno.serve`, whose `shutdown()` is already
 * graceful (it stops accepting and waits for in-flight requests).
 *
 * @module
 */

import type { Handler, HttpServer, ServeOptions } from "./serve.ts";

/** Serves `handler` with `Deno.serve`. */
export function serveDeno(handler: Handler, options: ServeOptions): HttpServer {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname,
    // Deno prints its own "Listening on" line unless told otherwise.
    onListen: () => {},
  }, handler);
  let stopping: Promise<void> | undefined;
  return {
    port: server.addr.port,
    engine: "Deno.serve",
    shutdown: () => stopping ??= server.shutdown(),
  };
}
