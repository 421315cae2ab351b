/**
 * {@linkcode httpServer}: a graceful HTTP server as a task.
 *
 * @module
 */

import type { Task } from "../types.ts";
import {
  checkFunction,
  checkNumber,
  checkOptions,
} from "../_internal/checks.ts";
import { show } from "../_internal/render.ts";
import type { Handler } from "./handler.ts";
import { guard } from "./_guard.ts";
import { listen, type Listener } from "./_listener.ts";

/**
 * Where {@linkcode httpServer} listens, and what it says once it does.
 *
 * @example
 * ```ts
 * import type { HttpServerOptions } from "@goasync/core/http";
 *
 * const options: HttpServerOptions = {
 *   port: 8080,
 *   hostname: "127.0.0.1",
 *   onListen: ({ hostname, port }) => console.log(`on ${hostname}:${port}`),
 * };
 * console.log(options.port); // 8080
 * ```
 */
export interface HttpServerOptions {
  /** The TCP port, a whole number from 0 to 65535; 0 picks a free one. Default 8000. */
  port?: number;
  /** The interface to listen on. Default `"0.0.0.0"` (every IPv4 interface). */
  hostname?: string;
  /**
   * Called once after each bind (in `initialize`), with the address as the
   * operating system reports it: the picked port when `port` is 0. A throw
   * fails `initialize`.
   */
  onListen?: (address: { hostname: string; port: number }) => void;
}

/**
 * The task {@linkcode httpServer} returns: a `Task` whose three stages are
 * always there, and that knows the port it bound.
 *
 * @example
 * ```ts
 * import { httpServer, type HttpServerTask } from "@goasync/core/http";
 *
 * const server: HttpServerTask = httpServer(() => new Response("ok"), {
 *   port: 0,
 *   hostname: "127.0.0.1",
 * });
 * console.log(server.port); // undefined
 * await server.initialize(AbortSignal.abort());
 * console.log(server.port! > 0); // true
 * await server.cleanup(AbortSignal.abort());
 * ```
 */
export interface HttpServerTask extends Task {
  /**
   * The port of the last bind (the picked one when asked for port 0);
   * `undefined` until `initialize` has bound.
   */
  readonly port: number | undefined;
  /** Binds the port; fails when it cannot (in use, no permission). */
  initialize(signal: AbortSignal): Promise<void>;
  /**
   * Serves until `signal` aborts; then stops accepting connections, lets
   * every in-flight request finish, closes idle keep-alive connections, and
   * resolves once they are all closed. Binds first if `initialize` has not.
   */
  execute(signal: AbortSignal): Promise<void>;
  /** Closes whatever is still open; resolves once it is closed. */
  cleanup(signal: AbortSignal): Promise<void>;
}

const DEFAULT_PORT = 8000;
const DEFAULT_HOSTNAME = "0.0.0.0";

/**
 * A graceful HTTP server as a task: `initialize` binds the port (so a port in
 * use stops the service before anything else starts), `execute` serves
 * `handler` until the task's signal aborts and then drains, and `cleanup`
 * closes what is still open (when `execute` never ran). The same on Deno
 * (`Deno.serve`), Bun (`Bun.serve`) and Node.js (`node:http`).
 *
 * The drain: no new connection is accepted, every request in flight gets its
 * response, idle keep-alive connections are closed at once and busy ones
 * after their response, and `execute` resolves once none is left. A handler
 * that throws, rejects or returns something other than a `Response` answers
 * 500, and the error is written with `console.error`.
 *
 * @example A server that answers one request and stops
 * ```ts
 * import { TaskManager, TaskType } from "@goasync/core";
 * import { httpServer } from "@goasync/core/http";
 *
 * const server = httpServer(() => new Response("hello\n"), {
 *   port: 0, // any free port
 *   hostname: "127.0.0.1",
 *   onListen: ({ port }) => console.log(`listening on ${port}`),
 * });
 * const manager = new TaskManager();
 * manager.addTask("http", server);
 * // The manager stops when this client is done.
 * manager.addTask("client", async () => {
 *   const response = await fetch(`http://127.0.0.1:${server.port}/`);
 *   console.log(await response.text()); // hello
 * }, TaskType.StopGroup);
 * console.log(await manager.run()); // []
 * ```
 *
 * @param handler Answers each request.
 * @param options Where to listen; by default port 8000 on every interface.
 * @throws {TypeError} When `handler` or `onListen` is not a function, or
 * `port` is not a number, or `hostname` is not a non-empty string.
 * @throws {RangeError} When `port` is not a whole number from 0 to 65535.
 */
export function httpServer(
  handler: Handler,
  options?: HttpServerOptions,
): HttpServerTask {
  checkFunction(handler, "httpServer: handler");
  const given = checkOptions<HttpServerOptions>(options, "httpServer: options");
  const port = given.port === undefined ? DEFAULT_PORT : checkPort(given.port);
  const hostname = given.hostname === undefined
    ? DEFAULT_HOSTNAME
    : checkHostname(given.hostname);
  const onListen = given.onListen === undefined
    ? undefined
    : checkFunction<NonNullable<HttpServerOptions["onListen"]>>(
      given.onListen,
      "httpServer: options.onListen",
    );
  const serve = guard(handler);
  let listener: Listener | undefined;
  let bound: number | undefined;

  const bind = async (): Promise<Listener> => {
    const opened = await listen(serve, { port, hostname });
    listener = opened;
    bound = opened.port;
    try {
      onListen?.({ hostname: opened.hostname, port: opened.port });
    } catch (error) {
      listener = undefined;
      await opened.close();
      throw error;
    }
    return opened;
  };

  return {
    get port() {
      return bound;
    },
    async initialize() {
      // A second initialize without a cleanup between: release the first bind.
      await listener?.close();
      await bind();
    },
    async execute(signal) {
      if (!listener && signal.aborted) return;
      const serving = listener ?? await bind();
      if (!signal.aborted) {
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true })
        );
      }
      await serving.close();
    },
    async cleanup() {
      const open = listener;
      listener = undefined;
      await open?.close();
    },
  };
}

function checkPort(value: unknown): number {
  const port = checkNumber(value, "httpServer: options.port", 0, 65535);
  if (!Number.isInteger(port)) {
    throw new RangeError(
      `httpServer: options.port must be a whole number from 0 to 65535, got ${port}`,
    );
  }
  return port;
}

function checkHostname(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `httpServer: options.hostname must be a non-empty string, got ${
        show(value)
      }`,
    );
  }
  return value;
}
