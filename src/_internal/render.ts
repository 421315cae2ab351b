/**
 * Turning any value into text for a message. Two renderings, for two jobs:
 * {@linkcode show} names a bad argument's kind ("got a function"), and
 * {@linkcode describe} tells what a task threw, bounded in length. Neither
 * ever throws, whatever getters or proxies the value hides.
 *
 * @module
 */

/** Longest {@linkcode describe} result: a thrown 3 MB object stays one short line. */
export const MAX_DESCRIPTION = 500;

/** A short rendering of an argument for "expected X, got Y" messages. */
export function show(value: unknown): string {
  try {
    if (typeof value === "string") return bound(JSON.stringify(value));
    if (typeof value === "function") return "a function";
    if (typeof value === "symbol") return value.toString();
    if (value === null || typeof value !== "object") return String(value);
    return Array.isArray(value) ? "an array" : "an object";
  } catch {
    return typeof value;
  }
}

/**
 * One line of text for what a task threw or rejected with: an error's
 * message, a string as it is, other values as JSON; at most
 * {@linkcode MAX_DESCRIPTION} characters, line breaks folded.
 */
export function describe(value: unknown): string {
  let text: string;
  try {
    if (value instanceof Error) text = String(value.message || value.name);
    else if (typeof value === "string") text = value;
    else if (value !== null && typeof value === "object") {
      text = JSON.stringify(value) ?? String(value);
    } else text = String(value);
  } catch {
    text = "(a value that cannot be described)";
  }
  return bound(text.replace(/\s*[\r\n]+\s*/g, " | "));
}

function bound(text: string): string {
  return text.length <= MAX_DESCRIPTION
    ? text
    : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}
