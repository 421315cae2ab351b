/**
 * Counts the timers code leaves behind: a timer neither fired nor cleared
 * keeps a Node.js or Bun process alive until it fires, and Deno's sanitizer
 * does not see timers created under `node:test`. Wraps the global
 * `setTimeout` and `clearTimeout`, which the code under test looks up at
 * call time.
 */
export interface TimerSpy {
  /** Timers set and neither fired nor cleared yet. */
  pending(): number;
  /** How many timers were set in all. */
  created(): number;
  /** Puts the real functions back. */
  restore(): void;
}

export function spyOnTimers(): TimerSpy {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  let created = 0;
  const spySet = (
    fn: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    created++;
    const id = realSet(
      (...a: unknown[]) => {
        live.delete(id);
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(id);
    return id;
  };
  const spyClear = (id?: unknown) => {
    live.delete(id);
    realClear(id as ReturnType<typeof setTimeout>);
  };
  globalThis.setTimeout = spySet as typeof setTimeout;
  globalThis.clearTimeout = spyClear as typeof clearTimeout;
  return {
    pending: () => live.size,
    created: () => created,
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}
