/**
 * The HTTP server task: `httpServer` from `@goasync/core/http` (bind in
 * `initialize`, serve and then drain in `execute`, close in `cleanup`), with
 * the demo's request counts and log lines around it.
 *
 * @module
 */

import type { Task } from "../../mod.ts";
import { type Handler, httpServer } from "../../src/http/mod.ts";
import { untilAborted } from "./until_aborted.ts";

/** Counts requests, for the log and the stats job. */
export interface RequestCounts {
  /** Requests whose handler has not yet returned a response. */
  inFlight: number;
  /** Requests answered since the start. */
  served: number;
}

/** Where to listen. */
export interface Listen {
  port: number;
  hostname: string;
}

/** The HTTP server task. */
export function httpTask(
  handler: Handler,
  { port, hostname }: Listen,
  counts: RequestCounts,
  log: (line: string) => void,
): Task {
  const counted: Handler = async (request) => {
    counts.inFlight++;
    try {
      return await handler(request);
    } finally {
      counts.inFlight--;
      counts.served++;
    }
  };
  const server = httpServer(counted, {
    port,
    hostname,
    onListen: (address) => {
      const host = address.hostname.includes(":")
        ? `[${address.hostname}]`
        : address.hostname;
      log(`http: listening on http://${host}:${address.port}`);
    },
  });
  return {
    initialize: (signal) => server.initialize(signal),
    async execute(signal) {
      const serving = server.execute(signal);
      await untilAborted(signal);
      const n = counts.inFlight;
      log(`http: shutting down, ${n} request${n === 1 ? "" : "s"} in flight`);
      await serving;
      log("http: drained");
    },
    async cleanup(signal) {
      await server.cleanup(signal);
      log("http: closed");
    },
  };
}
