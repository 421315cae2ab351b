/**
 * The server adapter for Node.js: `node:http`, translating its request and
 * response objects to and from web-standard `Request` and `Response`.
 *
 * Draining needs more care here than on Deno or Bun: `server.close()` stops
 * accepting but then waits for every connection to end, and a client's idle
 * keep-alive connection can stay open for seconds. So idle connections are
 * closed at once, a response written during the drain says
 * `Connection: close` (its connection ends with it), and a connection that
 * turns idle during the drain is closed as soon as it does.
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
import { setImmediate } from "node:timers";
import type { Handler } from "./handler.ts";
import { bindError, type Listener, type ListenOptions } from "./_listener.ts";

/** Serves `handler` with `node:http`; rejects if the bind fails. */
export async function listenNode(
  handler: Handler,
  options: ListenOptions,
): Promise<Listener> {
  let draining = false;
  const server = createServer((req, res) => {
    res.once("close", () => {
      if (draining) server.closeIdleConnections();
    });
    respond(handler, req, res, () => draining).catch((error) => {
      // The response could not be written (the client went away mid-body).
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw bindError(options, error);
  }
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    hostname: address.address,
    port: address.port,
    close: () =>
      closing ??= new Promise<void>((resolve, reject) => {
        draining = true;
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
  draining: () => boolean,
): Promise<void> {
  const response = await handler(toRequest(req, res));
  if (draining()) res.setHeader("connection", "close");
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = response.body;
  if (body === null) return void res.end();
  if (req.method === "HEAD") {
    res.end();
    return void body.cancel().catch(() => {});
  }
  await writeBody(body, res);
}

/**
 * Streams `body` into `res`. A body of one chunk is written with `end`, so
 * that Node.js sends a `Content-Length` instead of chunked encoding.
 */
async function writeBody(
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
): Promise<void> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  res.once("close", cancel);
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    const second = reader.read();
    // A body that has more to come soon (a string's does, within microtasks)
    // is waited for; a stream that waits on something else is not held up.
    const early = await Promise.race([second, nextTurn()]);
    if (early?.done) return void res.end(first.value);
    res.write(first.value);
    let next = early ?? await second;
    while (!next.done) {
      if (!res.write(next.value)) await drained(res);
      if (res.destroyed) return;
      next = await reader.read();
    }
    res.end();
  } finally {
    res.off("close", cancel);
  }
}

/** Resolves with `undefined` after the event loop's current turn. */
function nextTurn(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(resolve, undefined));
}

/** Resolves when `res` can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function toRequest(req: IncomingMessage, res: ServerResponse): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  // Aborted when the client goes away before its response is written, as on
  // Deno and Bun.
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method,
    headers,
    signal: controller.signal,
    body: hasBody ? Readable.toWeb(req) as ReadableStream : undefined,
    // A streamed request body must say so (the Fetch standard's rule).
    duplex: "half",
  } as RequestInit);
}
