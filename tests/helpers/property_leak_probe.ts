/**
 * Child process for the property test that checks the checker: with a
 * {@linkcode RejectionWatch} running, leaks one rejection, lets the event
 * loop turn the way the property harness does, and prints what the watch saw
 * as one JSON line. Run directly with Deno, Node.js or Bun.
 *
 * @module
 */

import { flush } from "./property_harness.ts";
import { RejectionWatch } from "./property_leaks.ts";

const watch = new RejectionWatch();
watch.start();
const clean = watch.take().length;
Promise.reject(new Error("deliberately leaked"));
await flush();
await flush();
const leaked = watch.take().map((reason) =>
  reason instanceof Error ? reason.message : String(reason)
);
watch.stop();
console.log(JSON.stringify({ clean, leaked }));
