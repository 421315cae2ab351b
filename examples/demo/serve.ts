/**
 * A small HTTP adapter: one web-standard handler, `(Request) => Response`,
 * served with `Deno.serve` on Deno, `Bun.serve` on Bun and `node:http` on
 * Node.js, chosen by feature detection. Whichever serves it, `shutdown()`
 * is graceful: stop accepting connections, let in-flight requests finish,
 * close idle keep-alive connections, then resolve.
 *
 * @module
 */

/** A web-standard request handler. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** Where to listen. */
export interface ServeOptions {
  /** The TCP port; 0 lets the operating system pick a free one. */
  port: number;
  /** The interface, e.g. "127.0.0.1" or "0.0.0.0". */
  hostname: string;
}

/** A listening server. */
export interface HttpServer {
  /** The port actually bound (the picked one when asked for port 0). */
  readonly port: number;
  /** Which runtime API serves the requests, for the log. */
  readonly engine: "Deno.serve" | "Bun.serve" | "node:http";
  /**
   * Stops accepting connections, waits for every in-flight request to get
   * its response, and closes the remaining connections. Calling it again
   * returns the same promise.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts serving `handler`; resolves once the server is listening.
 *
 * @throws When the port cannot be bound (in use, no permission).
 */
export async function serve(
  handler: Handler,
  options: ServeOptions,
): Promise<HttpServer> {
  const globals = globalThis as { Deno?: unknown; Bun?: unknown };
  // Deno 2 and Bun also offer node:http, so their native servers come first.
  if (typeof (globals.Deno as { serve?: unknown })?.serve === "function") {
    const { serveDeno } = await import("./serve_deno.ts");
    return serveDeno(handler, options);
  }
  if (typeof (globals.Bun as { serve?: unknown })?.serve === "function") {
    const { serveBun } = await import("./serve_bun.ts");
    return serveBun(handler, options);
  }
  const { serveNode } = await import("./serve_node.ts");
  return serveNode(handler, options);
}
