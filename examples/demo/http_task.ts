/**
 * The HTTP server as a task: `initialize` binds the port (so a port in use
 * stops the service before anything else starts), `execute` serves until the
 * stop and then drains, `cleanup` closes the server if `execute` never ran.
 *
 * @module
 */

import type { Task } from "../../mod.ts";
import {
  type Handler,
  type HttpServer,
  serve,
  type ServeOptions,
} from "./serve.ts";
import { untilAborted } from "./until_aborted.ts";

/** Counts requests, for the log and the stats job. */
export interface RequestCounts {
  /** Requests whose handler has not yet returned a response. */
  inFlight: number;
  /** Requests answered since the start. */
  served: number;
}

/** The HTTP server task. */
export function httpTask(
  handler: Handler,
  options: ServeOptions,
  counts: RequestCounts,
  log: (line: string) => void,
): Task {
  let server: HttpServer | undefined;
  const counted: Handler = async (request) => {
    counts.inFlight++;
    try {
      return await handler(request);
    } catch (error) {
      // One failed request must not look different on each runtime.
      log(`http: ${request.method} ${request.url} failed: ${error}`);
      return new Response("internal server error\n", { status: 500 });
    } finally {
      counts.inFlight--;
      counts.served++;
    }
  };
  const drain = async (current: HttpServer) => {
    const n = counts.inFlight;
    log(
      `http: shutting down, ${n} request${n === 1 ? "" : "s"} in flight`,
    );
    await current.shutdown();
    log("http: drained");
  };
  return {
    async initialize() {
      server = await serve(counted, options);
      const host = options.hostname.includes(":")
        ? `[${options.hostname}]`
        : options.hostname;
      log(
        `http: listening on http://${host}:${server.port} (${server.engine})`,
      );
    },
    async execute(signal) {
      await untilAborted(signal);
      if (server) await drain(server);
    },
    async cleanup() {
      if (!server) return;
      // The same promise if execute already drained it; otherwise (a later
      // task failed to initialize) this is what releases the port.
      await server.shutdown();
      log("http: closed");
    },
  };
}
