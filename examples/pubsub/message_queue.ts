/**
 * A bounded queue with one writer and one reader: the TypeScript stand-in
 * for the buffered Go channel each goasync subscriber reads from.
 *
 * @module
 */

/** The reader's side: iterate with `for await`; ends once closed and empty. */
export interface MessageSource<T> extends AsyncIterable<T> {
  /** How many messages wait to be read. */
  readonly size: number;
}

/**
 * A bounded first-in, first-out queue. Like a closed Go channel, a closed
 * queue accepts nothing more but still hands out what it holds, then ends.
 */
export class MessageQueue<T> implements MessageSource<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  #closed = false;
  #wake: (() => void) | undefined = undefined;

  /** @param capacity How many unread messages it holds before refusing more. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** How many messages wait to be read. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds `message`; false, leaving the queue as it was, if full or closed. */
  offer(message: T): boolean {
    if (this.#closed || this.#items.length >= this.#capacity) return false;
    this.#items.push(message);
    this.#wakeReader();
    return true;
  }

  /** Accepts no more messages; the reader still gets those already queued. */
  close(): void {
    this.#closed = true;
    this.#wakeReader();
  }

  /** Yields each message in order, waiting for more until closed and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      if (this.#items.length > 0) {
        yield this.#items.shift() as T;
      } else if (this.#closed) {
        return;
      } else {
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
    }
  }

  #wakeReader() {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
