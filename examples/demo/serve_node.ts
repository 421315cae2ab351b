/**
 * The HTTP adapter for Node.js: `node:http`, with the translation between
 * its request and response objects and web-standard `Request` and
 * `Response`.
 *
 * Graceful shutdown needs more care here than on Deno or Bun: `server.close()`
 * stops accepting, but then waits for every connection to end, and a client's
 * idle keep-alive connection can stay open for seconds. So idle connections
 * are closed at once, and every response finished during shutdown is sent
 * with `Connection: close`, so its connection ends with it.
 *
 * @module
 */

import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Handler, HttpServer, ServeOptions } from "./serve.ts";

/** Serves `handler` with `node:http`; resolves once listening. */
export async function serveNode(
  handler: Handler,
  options: ServeOptions,
): Promise<HttpServer> {
  let closing = false;
  const server = createServer((req, res) => {
    respond(handler, req, res, () => closing).catch((error) => {
      // The response could not be written (the client went away mid-body).
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    engine: "node:http",
    shutdown: () =>
      stopping ??= new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => error ? reject(error) : resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Answers one request: node request → `Request` → handler → node response. */
async function respond(
  handler: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  closing: () => boolean,
): Promise<void> {
  const aborted = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  let response: Response;
  try {
    response = await handler(toRequest(req, aborted.signal));
  } catch (error) {
    console.error("http: handler failed:", error);
    response = new Response("internal server error\n", { status: 500 });
  }
  if (closing()) res.setHeader("connection", "close");
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null || req.method === "HEAD") {
    res.end();
    return;
  }
  await pipeline(
    Readable.fromWeb(
      response.body as Parameters<typeof Readable.fromWeb>[0],
    ),
    res,
  );
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const url = new URL(
    req.url ?? "/",
    `http://${req.headers.host ?? "localhost"}`,
  );
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal,
    body: hasBody ? Readable.toWeb(req) as ReadableStream : undefined,
    // A streamed request body must say so (the Fetch standard's rule).
    duplex: "half",
  } as RequestInit);
}
