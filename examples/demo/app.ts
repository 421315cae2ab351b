/**
 * The demo's HTTP routes, as one web-standard handler:
 *
 * - `GET /`: a greeting, from the configuration (SIGHUP reloads it);
 * - `GET /slow?ms=N`: answers after N ms, to watch a request finish while the
 *   service shuts down;
 * - `POST /jobs`: queues the body as a job for the background worker (a job
 *   whose body is `crash` makes the worker fail, to watch it restart);
 * - `/livez` and `/readyz`: the health endpoints, from `healthHandler`.
 *
 * @module
 */

import type { ConfigStore } from "./config.ts";
import type { JobQueue } from "./worker.ts";
import type { Handler } from "../../src/http/mod.ts";

/** The longest `/slow` wait, kept below the service's shutdown timeout. */
export const MAX_SLOW_MS = 20_000;

/** What the handler needs. */
export interface AppDeps {
  config: ConfigStore;
  jobs: JobQueue;
  /** Answers `/livez` and `/readyz`. */
  health: Handler;
  log: (line: string) => void;
}

/** Builds the handler. */
export function createApp({ config, jobs, health, log }: AppDeps): Handler {
  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/livez" || url.pathname === "/readyz") {
      return health(request);
    }
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case "GET /":
        return text(`${config.current.greeting} from the goasync demo\n`);
      case "GET /slow": {
        const ms = Number(url.searchParams.get("ms") ?? "1000");
        if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLOW_MS) {
          return text(
            `ms must be a whole number from 0 to ${MAX_SLOW_MS}\n`,
            400,
          );
        }
        log(`http: GET /slow?ms=${ms} started`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return text(`waited ${ms} ms\n`);
      }
      case "POST /jobs": {
        const id = jobs.add(await request.text());
        if (id === undefined) return text("shutting down, try later\n", 503);
        return text(`job ${id} queued\n`, 202);
      }
      default:
        return text("not found\n", 404);
    }
  };
}

function text(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
