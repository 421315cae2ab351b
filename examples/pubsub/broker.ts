/**
 * The broker: hands each subscriber a bounded queue and copies every
 * published message into the queues of that topic. A subscriber that reads
 * too slowly loses messages rather than slowing the publisher down. When the
 * program stops, the broker closes every queue, so that each subscriber
 * drains what it already has and then ends.
 *
 * @module
 */

import { MessageQueue, type MessageSource } from "./message_queue.ts";

/** A broker of messages of type `T`; a task with only an `execute` stage. */
export class Broker<T> {
  /** topic → subscriber name → that subscriber's queue */
  readonly #topics = new Map<string, Map<string, MessageQueue<T>>>();
  readonly #log: (line: string) => void;

  /** @param log Where the broker reports drops and closes. */
  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /**
   * Registers `name` on `topic` with a queue of `capacity` messages and
   * returns the reading side; subscribers cannot close it, only the broker.
   */
  subscribe(topic: string, name: string, capacity: number): MessageSource<T> {
    const queue = new MessageQueue<T>(capacity);
    let subscribers = this.#topics.get(topic);
    if (!subscribers) this.#topics.set(topic, subscribers = new Map());
    subscribers.set(name, queue);
    return queue;
  }

  /** Offers `message` to every subscriber of `topic`; a full queue drops it. */
  publish(topic: string, message: T): void {
    for (const [name, queue] of this.#topics.get(topic) ?? []) {
      if (!queue.offer(message)) {
        this.#log(`broker: ${name}'s queue is full, dropped ${message}`);
      }
    }
  }

  /** Waits for the stop, then closes every queue. */
  async execute(signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    for (const subscribers of this.#topics.values()) {
      for (const [name, queue] of subscribers) {
        queue.close();
        this.#log(
          `broker: closed ${name}'s queue with ${queue.size} messages left to drain`,
        );
      }
    }
    this.#topics.clear();
  }
}
