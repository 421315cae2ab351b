/**
 * A task that only narrates: added first, so its `execute` reports why the
 * service is stopping and its `cleanup`, which the manager calls last of
 * all, reports that shutdown is complete.
 *
 * @module
 */

import type { Task } from "../../mod.ts";

/** The narrating task. */
export function lifecycleTask(log: (line: string) => void): Task {
  return {
    execute(signal) {
      return new Promise<void>((resolve) => {
        // Synchronously in the abort event: this task was added first, so
        // this line comes before any other task's reaction to the stop.
        const report = () => {
          log(`demo: ${reasonOf(signal)}, shutting down gracefully`);
          resolve();
        };
        if (signal.aborted) report();
        else signal.addEventListener("abort", report, { once: true });
      });
    },
    cleanup() {
      log("demo: shutdown complete");
    },
  };
}

/** The stop's reason in words: "received SIGTERM", "task "x" failed ...". */
function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error || reason instanceof DOMException) {
    return reason.message;
  }
  return String(reason);
}
