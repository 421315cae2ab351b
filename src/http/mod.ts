/**
 * `@goasync/core/http`: a graceful HTTP server as a task, and Kubernetes-style
 * health endpoints, on Deno (`Deno.serve`), Node.js (`node:http`) and Bun
 * (`Bun.serve`) alike. Like `@goasync/core/signals`, this is an adapter layer:
 * the core never imports it.
 *
 * - {@linkcode httpServer}: binds in `initialize`, serves a web-standard
 *   {@linkcode Handler} in `execute`, and drains after the stop: no new
 *   connection, every request in flight answered, idle keep-alive
 *   connections closed.
 * - {@linkcode healthHandler}: `/livez` and `/readyz` for a `TaskManager`
 *   (`application/health+json`). With the manager's `drainDelay`, `/readyz`
 *   fails as soon as the stop is asked while the server still answers, so
 *   that a load balancer moves traffic away before the server closes.
 *
 * @example A service with health endpoints
 * ```ts
 * import { TaskManager, TaskType } from "@goasync/core";
 * import { healthHandler, httpServer } from "@goasync/core/http";
 *
 * const manager = new TaskManager();
 * const health = healthHandler(manager);
 * const server = httpServer((request) => {
 *   const { pathname } = new URL(request.url);
 *   if (pathname === "/livez" || pathname === "/readyz") return health(request);
 *   return new Response("hello\n");
 * }, { port: 0, hostname: "127.0.0.1" });
 * manager.addTask("http", server);
 * manager.addTask("probe", async () => {
 *   const response = await fetch(`http://127.0.0.1:${server.port}/readyz`);
 *   console.log(response.status, await response.json()); // 200 { status: "pass" }
 * }, TaskType.StopGroup);
 * await manager.run();
 * ```
 *
 * @module
 */

export type { Handler } from "./handler.ts";
export { healthHandler, type HealthOptions } from "./health_handler.ts";
export {
  httpServer,
  type HttpServerOptions,
  type HttpServerTask,
} from "./http_server.ts";
