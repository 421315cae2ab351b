/**
 * Event listeners that cannot hurt their target: each is wrapped so that a
 * throw (or an async listener's rejection) is written with `console.error`
 * instead of reaching the runtime, which reports a listener's exception as
 * uncaught (and Node.js then ends the process).
 *
 * @module
 */

import { whenSettled } from "./settle.ts";

type Listener = EventListenerOrEventListenerObject;

/** The wrapped listeners of one event target, and which types have any. */
export class SafeListeners {
  readonly #target: EventTarget;
  readonly #wrappers = new WeakMap<object, Map<string, EventListener>>();
  /** Types that have ever had a listener: others are never dispatched. */
  readonly #used = new Set<string>();

  /** @param target The target the listeners are called on (`this`). */
  constructor(target: EventTarget) {
    this.#target = target;
  }

  /** `addEventListener` on the target, with `listener` wrapped. */
  add(type: string, listener: Listener | null, options: unknown): void {
    if (listener === null || listener === undefined) return;
    const wrapper = this.#wrap(type, listener, keyOf(type, options));
    EventTarget.prototype.addEventListener.call(
      this.#target,
      type,
      wrapper,
      options as AddEventListenerOptions | boolean | undefined,
    );
  }

  /** `removeEventListener` on the target, for a listener given to `add`. */
  remove(type: string, listener: Listener | null, options: unknown): void {
    if (listener === null || listener === undefined) return;
    const wrapper = this.#wrappers.get(listener)?.get(keyOf(type, options));
    if (wrapper === undefined) return;
    EventTarget.prototype.removeEventListener.call(
      this.#target,
      type,
      wrapper,
      options as EventListenerOptions | boolean | undefined,
    );
  }

  /** Whether an event of `type` may have a listener. */
  listens(type: string): boolean {
    // Asked at every step of every task: no listener at all is one compare.
    return this.#used.size !== 0 && this.#used.has(type);
  }

  /** Dispatches `event` on the target, synchronously. */
  dispatch(event: Event): void {
    this.#target.dispatchEvent(event);
  }

  /** The wrapper to register for `listener`; the same one each time. */
  #wrap(type: string, listener: Listener, key: string): EventListener {
    this.#used.add(type);
    let byKey = this.#wrappers.get(listener);
    if (!byKey) this.#wrappers.set(listener, byKey = new Map());
    let wrapper = byKey.get(key);
    if (!wrapper) {
      const target = this.#target;
      wrapper = (event) => {
        const report = (error: unknown) =>
          console.error(`goasync: a "${type}" listener threw:`, error);
        try {
          const result = typeof listener === "function"
            ? listener.call(target, event)
            : listener.handleEvent(event);
          if (result !== undefined) whenSettled(result, () => {}, report);
        } catch (error) {
          report(error);
        }
      };
      byKey.set(key, wrapper);
    }
    return wrapper;
  }
}

/**
 * Which registration a listener makes: the same listener, type and capture
 * flag is one registration, as `EventTarget` counts them.
 */
function keyOf(type: string, options: unknown): string {
  const capture = typeof options === "boolean"
    ? options
    : typeof options === "object" && options !== null &&
      Boolean((options as { capture?: unknown }).capture);
  return `${capture ? "c" : "b"}:${type}`;
}
