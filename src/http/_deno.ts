/**
 * The server adapter for Deno: `Deno.serve`, whose `shutdown()` is already
 * graceful (it stops accepting, lets in-flight requests finish and closes
 * idle keep-alive connections).
 *
 * @module
 */

import type { Handler } from "./handler.ts";
import { bindError, type Listener, type ListenOptions } from "./_listener.ts";

/**
 * The part of Deno's API used here, typed locally so that the module
 * compiles without Deno's types (the npm build).
 */
interface DenoLike {
  serve(
    options: { port: number; hostname: string; onListen(): void },
    handler: Handler,
  ): {
    readonly addr: { hostname: string; port: number };
    shutdown(): Promise<void>;
  };
}

/** Serves `handler` with `Deno.serve`; throws if the bind fails. */
export function listenDeno(handler: Handler, options: ListenOptions): Listener {
  const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
  let server: ReturnType<DenoLike["serve"]>;
  try {
    server = deno.serve({
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
