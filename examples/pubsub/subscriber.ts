/**
 * A subscriber: subscribes in `initialize`, then reads its queue until the
 * broker closes it. It never looks at its own signal while reading: the
 * broker's closing the queue is what ends it, and only after every message
 * already queued has been handled.
 *
 * @module
 */

import type { Broker } from "./broker.ts";
import type { MessageSource } from "./message_queue.ts";

/** A slow reader of one topic. */
export class Subscriber {
  readonly #name: string;
  readonly #topic: string;
  readonly #broker: Broker<number>;
  readonly #workMs: number;
  readonly #log: (line: string) => void;
  #queue: MessageSource<number> | undefined = undefined;

  /**
   * @param name The subscriber's name, for the log.
   * @param topic The topic to read.
   * @param broker The broker to subscribe with.
   * @param workMs How long handling one message takes.
   * @param log Where each message is reported.
   */
  constructor(
    name: string,
    topic: string,
    broker: Broker<number>,
    workMs: number,
    log: (line: string) => void,
  ) {
    this.#name = name;
    this.#topic = topic;
    this.#broker = broker;
    this.#workMs = workMs;
    this.#log = log;
  }

  /** Subscribes with a queue of 5 messages, as goasync's example does. */
  initialize(): void {
    this.#queue = this.#broker.subscribe(this.#topic, this.#name, 5);
  }

  /** Handles messages until the queue is closed and empty. */
  async execute(signal: AbortSignal): Promise<void> {
    for await (const message of this.#queue ?? []) {
      this.#log(`${this.#name}: received ${message}`);
      // Handling takes longer than publishing: the queue fills up.
      await new Promise((resolve) => setTimeout(resolve, this.#workMs));
    }
    if (!signal.aborted) {
      // The broker closed the queue without a shutdown: a real failure.
      throw new Error(`${this.#name}: message queue closed unexpectedly`);
    }
    this.#log(`${this.#name}: queue drained, stopping`);
  }
}
