/**
 * The web-standard request handler that `@goasync/core/http` serves.
 *
 * @module
 */

/**
 * A web-standard request handler: what `Deno.serve` and `Bun.serve` take,
 * and what {@linkcode httpServer} serves on Deno, Node.js and Bun alike.
 *
 * @example
 * ```ts
 * import type { Handler } from "@goasync/core/http";
 *
 * const hello: Handler = (request) =>
 *   new Response(`hello from ${new URL(request.url).pathname}\n`);
 * console.log(await (await hello(new Request("http://localhost/x"))).text());
 * ```
 */
export type Handler = (request: Request) => Response | Promise<Response>;
