/**
 * Watching what a stage returned, whatever it is.
 *
 * @module
 */

/**
 * Calls `onFulfilled` or `onRejected` once `result` settles: one reaction,
 * no promise of its own. A returned promise whose `then` or `constructor`
 * accessor throws is the stage's failure; its own rejection is then marked
 * handled, so that nothing escapes as an unhandled rejection.
 */
export function whenSettled(
  result: unknown,
  onFulfilled: () => void,
  onRejected: (error: unknown) => void,
): void {
  try {
    Promise.resolve(result).then(onFulfilled, onRejected);
  } catch (error) {
    markHandled(result);
    onRejected(error);
  }
}

function markHandled(value: unknown): void {
  if (!(value instanceof Promise)) return;
  try {
    Promise.prototype.then.call(value, undefined, () => {});
  } catch {
    // Its `constructor` accessor throws too: nothing more can be done.
  }
}
