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
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { Handler } from "./handler.ts";
import { bindError, type Listener, type ListenOptions } from "./_listener.ts";

/**
 * Microtask turns to wait for a body's second read: a body made from a
 * string or bytes ends within one or two (Node.js 24, 20), and is then sent
 * with a `Content-Length`; any other goes out chunked as it comes.
 */
const END_OF_BODY_TURNS = 4;

/**
 * A `Request` whose `signal` is made only when read: passing a signal to
 * `new Request` costs more on Node.js than all the rest of a small request.
 * It aborts when the client goes away before its response is written, as
 * on Deno and Bun.
 */
class NodeRequest extends Request {
  #controller: AbortController | undefined = undefined;
  #gone = false;

  override get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#gone) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** The client went away before its response was written. */
  gone(): void {
    this.#gone = true;
    this.#controller?.abort();
  }
}

/** Serves `handler` with `node:http`; rejects if the bind fails. */
export async function listenNode(
  handler: Handler,
  options: ListenOptions,
): Promise<Listener> {
  const state = { draining: false };
  const server: Server = createServer((req, res) => {
    respond(handler, req, res, server, state).catch((error) => {
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
        state.draining = true;
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
  server: Server,
  state: { draining: boolean },
): Promise<void> {
  let request: NodeRequest;
  try {
    request = toRequest(req);
  } catch {
    // A request line or Host header that makes no URL.
    res.writeHead(400, { connection: "close" }).end();
    return;
  }
  const body: { reader?: ReadableStreamDefaultReader<Uint8Array> } = {};
  res.once("close", () => {
    if (!res.writableFinished) {
      request.gone();
      body.reader?.cancel().catch(() => {});
    }
    // A connection that turned idle during the drain: close it now.
    if (state.draining) server.closeIdleConnections();
  });
  const response = await handler(request);
  if (state.draining) res.setHeader("connection", "close");
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  let cookies: string[] | undefined;
  // The iterator gives each set-cookie on its own, never joined.
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") (cookies ??= []).push(value);
    else res.setHeader(name, value);
  }
  if (cookies) res.setHeader("set-cookie", cookies);
  if (response.body === null) return void res.end();
  if (req.method === "HEAD") {
    res.end();
    return void response.body.cancel().catch(() => {});
  }
  body.reader = response.body.getReader();
  await writeBody(body.reader, res);
}

/**
 * Streams a body into `res`. A body that ends right after its first chunk
 * is written with `end`, so that Node.js sends a `Content-Length`.
 */
async function writeBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
): Promise<void> {
  const first = await reader.read();
  if (first.done) return void res.end();
  const second = reader.read();
  let early: ReadableStreamReadResult<Uint8Array> | undefined;
  second.then((result) => early = result, () => {});
  for (let i = 0; i < END_OF_BODY_TURNS && early === undefined; i++) {
    await null;
  }
  if (early?.done) return void res.end(first.value);
  res.write(first.value);
  for (
    let next = early ?? await second;
    !next.done;
    next = await reader.read()
  ) {
    if (!res.write(next.value)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
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

function toRequest(req: IncomingMessage): NodeRequest {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  const path = req.url ?? "/";
  const base = `http://${req.headers.host ?? "localhost"}`;
  // The usual origin form ("/a?b") is appended as it is; anything else
  // (absolute form, "*") is resolved.
  const url = path.startsWith("/") ? base + path : new URL(path, base).href;
  if (method === "GET" || method === "HEAD") {
    return new NodeRequest(url, { method, headers });
  }
  return new NodeRequest(url, {
    method,
    headers,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    // A streamed request body must say so (the Fetch standard's rule).
    duplex: "half",
  } as RequestInit);
}
