/**
 * One server for the HTTP load benchmark (bench/http_load.ts), started as
 * its own process: `<runtime> bench/http/server.ts <contender>`. Prints
 * `port N pid P` once it listens, then serves until killed.
 *
 * Contenders, all serving the same web-standard handler:
 * - `goasync`: `httpServer` run by a `TaskManager`;
 * - `bare`: the runtime's own server with nothing around it: `Deno.serve`,
 *   `Bun.serve`, or on Node.js `node:http` with the least adapter a web
 *   handler needs (build a `Request`, write the `Response` whole);
 * - `native` (Node.js only): `node:http` answering the same bytes without a
 *   `Request` or `Response` at all, the ceiling on Node.js.
 *
 * @module
 */

import process from "node:process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { TaskManager } from "../../mod.ts";
import { httpServer } from "../../src/http/mod.ts";

const BODY = "hello world\n";
const HEADERS = { "content-type": "text/plain;charset=utf-8" };
const HOSTNAME = "127.0.0.1";

/** The handler every contender serves. */
const handler = (_request: Request): Response =>
  new Response(BODY, { headers: HEADERS });

const listening = (port: number) =>
  console.log(`port ${port} pid ${process.pid}`);

interface Globals {
  Deno?: {
    serve(
      options: {
        port: number;
        hostname: string;
        onListen(a: { port: number }): void;
      },
      handler: (request: Request) => Response,
    ): unknown;
  };
  Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      fetch: (request: Request) => Response;
    }): { port: number };
  };
}
const globals = globalThis as unknown as Globals;

const contender = (globals.Deno as unknown as { args?: string[] })?.args?.[0] ??
  process.argv[2];

switch (contender) {
  case "goasync": {
    const manager = new TaskManager();
    manager.addTask(
      "http",
      httpServer(handler, {
        port: 0,
        hostname: HOSTNAME,
        onListen: ({ port }) => listening(port),
      }),
    );
    await manager.run();
    break;
  }
  case "bare":
    if (globals.Deno) {
      globals.Deno.serve({
        port: 0,
        hostname: HOSTNAME,
        onListen: ({ port }) => listening(port),
      }, handler);
    } else if (globals.Bun) {
      listening(
        globals.Bun.serve({ port: 0, hostname: HOSTNAME, fetch: handler }).port,
      );
    } else {
      const server = createServer(async (req, res) => {
        const headers = new Headers();
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
        }
        const response = handler(
          new Request(`http://${req.headers.host}${req.url}`, {
            method: req.method,
            headers,
          }),
        );
        res.statusCode = response.status;
        for (const [name, value] of response.headers) {
          res.setHeader(name, value);
        }
        res.end(Buffer.from(await response.arrayBuffer()));
      });
      server.listen(
        0,
        HOSTNAME,
        () => listening((server.address() as AddressInfo).port),
      );
    }
    break;
  case "native": {
    const server = createServer((_req, res) => {
      res.writeHead(200, HEADERS).end(BODY);
    });
    server.listen(
      0,
      HOSTNAME,
      () => listening((server.address() as AddressInfo).port),
    );
    break;
  }
  default:
    console.error(`usage: server.ts goasync|bare|native, got ${contender}`);
    process.exit(2);
}
