/**
 * {@linkcode healthHandler}: Kubernetes-style `/livez` and `/readyz`
 * endpoints for a `TaskManager`.
 *
 * @module
 */

import type { TaskManager } from "../task_manager.ts";
import type { ManagerSnapshot } from "../events.ts";
import { checkDelay, checkOptions } from "../_internal/checks.ts";
import { describe, show } from "../_internal/render.ts";
import type { Handler } from "./handler.ts";
import { type Check, type CheckResult, runChecks } from "./_health_checks.ts";

/**
 * Options for {@linkcode healthHandler}.
 *
 * @example
 * ```ts
 * import type { HealthOptions } from "@goasync/core/http";
 *
 * const options: HealthOptions = {
 *   checks: { disk: () => true },
 *   checkTimeout: 500,
 * };
 * console.log(Object.keys(options.checks!)); // ["disk"]
 * ```
 */
export interface HealthOptions {
  /**
   * Readiness checks, by name, run on every `/readyz` request (never on
   * `/livez`). A check passes when it returns, or resolves within
   * `checkTimeout`; it fails when it throws, rejects or runs past
   * `checkTimeout`, at which point its signal aborts.
   */
  checks?: Record<string, (signal: AbortSignal) => unknown>;
  /** Milliseconds each check may take. Default 1000. */
  checkTimeout?: number;
}

const DEFAULT_CHECK_TIMEOUT = 1_000;
const ALLOW = "GET, HEAD";
const JSON_HEADERS = {
  "content-type": "application/health+json",
  "cache-control": "no-store",
};

/** A `checks` entry of the IETF health response format. */
interface HealthCheck {
  componentType: string;
  observedValue?: unknown;
  observedUnit?: string;
  status: "pass" | "warn" | "fail";
  time?: string;
  output?: string;
  restarts?: number;
}

/**
 * A handler for a manager's health endpoints, the Kubernetes way:
 *
 * - `/livez`: 200 in every state but `stopped` (503 then): the process is
 *   alive, do not restart it.
 * - `/readyz`: 200 only while the manager is `running` and every check
 *   passes, else 503: send it traffic. It fails from the moment a stop is
 *   asked (the manager's `draining` state), while the server still answers.
 *
 * Each is matched on the end of the path (`/api/readyz` works), for `GET` and
 * `HEAD`; other methods get 405, other paths 404. Bodies are
 * `application/health+json` (`{"status":"pass"}` or `{"status":"fail"}`),
 * never cached; `?verbose` adds `"checks"`: the manager's state, each task's
 * state and restarts, and (on `/readyz`) each check's result.
 *
 * @example Probing a manager directly
 * ```ts
 * import { TaskManager } from "@goasync/core";
 * import { healthHandler } from "@goasync/core/http";
 *
 * const manager = new TaskManager();
 * const health = healthHandler(manager, { checks: { db: () => true } });
 * const probe = async (path: string) =>
 *   (await health(new Request(`http://localhost${path}`))).status;
 *
 * console.log(await probe("/livez"), await probe("/readyz")); // 200 503
 * manager.addTask("probe", async () => {
 *   console.log(await probe("/readyz")); // 200: running, db passes
 * }, "stop-group");
 * await manager.run();
 * console.log(await probe("/livez")); // 503: stopped
 * ```
 *
 * @param manager The manager whose state the endpoints report.
 * @param options Readiness checks and their timeout.
 * @throws {TypeError} When `manager` has no `snapshot` method, a check is not
 * a function, or `checkTimeout` is not a number.
 * @throws {RangeError} When `checkTimeout` is negative, NaN or too long.
 */
export function healthHandler(
  manager: Pick<TaskManager, "state" | "snapshot">,
  options?: HealthOptions,
): Handler {
  if (
    typeof (manager as { snapshot?: unknown } | null)?.snapshot !== "function"
  ) {
    throw new TypeError(
      `healthHandler: manager must be a TaskManager, got ${show(manager)}`,
    );
  }
  const given = checkOptions<HealthOptions>(options, "healthHandler: options");
  const timeout = given.checkTimeout === undefined
    ? DEFAULT_CHECK_TIMEOUT
    : checkDelay(given.checkTimeout, "healthHandler: options.checkTimeout");
  const checks = readChecks(given.checks);

  return async (request) => {
    const { pathname, searchParams } = new URL(request.url);
    const probe = pathname.endsWith("/readyz")
      ? "readyz"
      : pathname.endsWith("/livez")
      ? "livez"
      : undefined;
    if (probe === undefined) return plain(404, "Not Found\n");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(405, "Method Not Allowed\n", { allow: ALLOW });
    }
    const results = probe === "readyz" ? await runChecks(checks, timeout) : [];
    // Read after the checks: the answer is about now, not when they started.
    const state = manager.state;
    const up = probe === "readyz"
      ? state === "running" && results.every((r) => r.pass)
      : state !== "stopped";
    const body: { status: string; checks?: Record<string, HealthCheck[]> } = {
      status: up ? "pass" : "fail",
    };
    if (searchParams.has("verbose")) {
      body.checks = details(manager.snapshot(), probe, results);
    }
    return new Response(
      request.method === "HEAD" ? null : JSON.stringify(body),
      { status: up ? 200 : 503, headers: JSON_HEADERS },
    );
  };
}

function readChecks(
  value: unknown,
): (readonly [string, Check])[] {
  const checks = checkOptions<Record<string, unknown>>(
    value,
    "healthHandler: options.checks",
  );
  if (Array.isArray(checks)) {
    throw new TypeError(
      "healthHandler: options.checks must be an object of functions, got an array",
    );
  }
  return Object.entries(checks).map(([name, check]) => {
    if (typeof check !== "function") {
      throw new TypeError(
        `healthHandler: options.checks[${
          JSON.stringify(name)
        }] must be a function, got ${show(check)}`,
      );
    }
    return [name, check as Check] as const;
  });
}

/** The verbose `"checks"` object. */
function details(
  { state, since, tasks }: ManagerSnapshot,
  probe: "livez" | "readyz",
  results: readonly CheckResult[],
): Record<string, HealthCheck[]> {
  const up = probe === "readyz" ? state === "running" : state !== "stopped";
  const checks: Record<string, HealthCheck[]> = {
    "manager:state": [{
      componentType: "system",
      observedValue: state,
      status: up ? "pass" : "fail",
      time: new Date(since).toISOString(),
    }],
  };
  for (const task of tasks) {
    const entry: HealthCheck = {
      componentType: "task",
      observedValue: task.state,
      restarts: task.restarts,
      status: task.state === "failed"
        ? "fail"
        : task.state === "restarting"
        ? "warn"
        : "pass",
      time: new Date(task.since).toISOString(),
    };
    if (task.lastError !== undefined) entry.output = failure(task.lastError);
    (checks[`task:${task.name}`] ??= []).push(entry);
  }
  for (const result of results) {
    const entry: HealthCheck = {
      componentType: "check",
      observedValue: result.duration,
      observedUnit: "ms",
      status: result.pass ? "pass" : "fail",
    };
    if (result.output !== undefined) entry.output = result.output;
    checks[`check:${result.name}`] = [entry];
  }
  return checks;
}

/** A task's last error as text: the message of an error, or of `{ name, message }`. */
function failure(error: unknown): string {
  try {
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === "string") return describe(message);
  } catch {
    // A getter that throws: describe the value itself.
  }
  return describe(error);
}

function plain(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
