/**
 * The handler as every adapter serves it: a throw, a rejection or anything
 * but a `Response` becomes a 500, the same on every runtime (left to
 * themselves, Deno, Bun and Node.js answer it three different ways).
 *
 * @module
 */

import { show } from "../_internal/render.ts";
import type { Handler } from "./handler.ts";

/** `handler`, made to always answer; a synchronous answer stays synchronous. */
export function guard(handler: Handler): Handler {
  return (request) => {
    let response: Response | Promise<Response>;
    try {
      response = handler(request);
    } catch (error) {
      return failed(request, error);
    }
    return response instanceof Response ? response : settle(request, response);
  };
}

async function settle(request: Request, pending: unknown): Promise<Response> {
  try {
    const value = await pending;
    if (value instanceof Response) return value;
    throw new TypeError(
      `the handler must return a Response, got ${show(value)}`,
    );
  } catch (error) {
    return failed(request, error);
  }
}

function failed(request: Request, error: unknown): Response {
  console.error(`httpServer: ${request.method} ${request.url} failed:`, error);
  return new Response("Internal Server Error\n", {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
