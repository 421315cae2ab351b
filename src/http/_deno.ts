/**
 * The server adapter for Deno: `Deno.serve`, whose `shutdown()` is already
 * graceful (it stops accepting, lets in-flight requests finish and closes
 * idle keep-alive connections).
 *
 * @module
 */

import type { Handler } from "./handler.ts";
import { bindError, type Listener, type ListenOptions } from "./_listener.ts";

/** Serves `handler` with `Deno.serve`; throws if the bind fails. */
export function listenDeno(handler: Handler, options: ListenOptions): Listener {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      port: options.port,
      hostname: options.hostname,
      // Deno prints its own "Listening on" line unless told otherwise.
      onListen: () => {},
    }, handler);
  } catch (error) {
    throw bindError(options, error);
  }
  let closing: Promise<void> | undefined;
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    close: () => closing ??= server.shutdown(),
  };
}
