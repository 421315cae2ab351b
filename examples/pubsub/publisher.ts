/**
 * The publisher: one round publishes the next number of a counter. The
 * program runs it with `repeatTimer`, the counterpart of the ticker in
 * goasync's example.
 *
 * @module
 */

import type { Broker } from "./broker.ts";

/** Publishes 1, 2, 3, ... to `topic`, one number per `execute`. */
export class Publisher {
  readonly #topic: string;
  readonly #broker: Broker<number>;
  readonly #log: (line: string) => void;
  #sent = 0;

  /**
   * @param topic The topic to publish to.
   * @param broker The broker to publish through.
   * @param log Where each send is reported.
   */
  constructor(
    topic: string,
    broker: Broker<number>,
    log: (line: string) => void,
  ) {
    this.#topic = topic;
    this.#broker = broker;
    this.#log = log;
  }

  /** Publishes the next number. */
  execute(): void {
    const message = ++this.#sent;
    this.#broker.publish(this.#topic, message);
    this.#log(`publisher: sent ${message}`);
  }

  /** Reports how many were sent. */
  cleanup(): void {
    this.#log(`publisher: stopped after sending ${this.#sent}`);
  }
}
