/**
 * Turns what `runMain` reports into one readable line each.
 *
 * @module
 */

/** The prefix of every line `runMain` writes, so logs show who wrote it. */
export const PREFIX = "goasync:";

/**
 * One line for an error a manager reported. A `TaskError`'s message already
 * names the task and the stage (`task "db" failed in initialize: refused`);
 * anything else is described as well as it allows. Line breaks in a cause's
 * message are folded so that one error stays one line.
 */
export function errorLine(error: unknown): string {
  return `${PREFIX} ${oneLine(describe(error))}`;
}

/** One line for a message of `runMain`'s own. */
export function noticeLine(message: string): string {
  return `${PREFIX} ${oneLine(message)}`;
}

function describe(value: unknown): string {
  try {
    if (value instanceof Error) {
      const task = value as Error & { taskName?: unknown; stage?: unknown };
      if (
        typeof task.taskName === "string" && typeof task.stage === "string" &&
        !value.message.includes(task.taskName)
      ) {
        return `task "${task.taskName}" failed in ${task.stage}: ${value.message}`;
      }
      return value.message || value.name;
    }
    return typeof value === "string" ? value : String(value);
  } catch {
    return "(an error that cannot be described)";
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " | ").trim();
}
