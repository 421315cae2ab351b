/**
 * goasync's pubsub example: a broker, a publisher and two subscribers, each
 * a task. The publisher sends a number every 100 ms; the subscribers take
 * longer than that to handle one, so their 5-message queues fill up and the
 * broker drops what does not fit. On Ctrl-C (or SIGTERM) the broker closes
 * the queues, and each subscriber drains what it already had before the
 * program exits.
 *
 * Run it: deno run -A examples/pubsub/main.ts (or node / bun
 * examples/pubsub/main.ts), then press Ctrl-C.
 *
 * @module
 */

import { TaskManager } from "../../mod.ts";
import { runMain } from "../../src/signals/mod.ts";
import { repeatTimer } from "../../src/tasks/mod.ts";
import { Broker } from "./broker.ts";
import { Publisher } from "./publisher.ts";
import { Subscriber } from "./subscriber.ts";

const TOPIC = "counter";
const PUBLISH_EVERY_MS = 100;

const log = (line: string) => console.log(line);
const broker = new Broker<number>(log);

const manager = new TaskManager();
manager.addTask("broker", broker);
manager.addTask(
  "publisher",
  repeatTimer(PUBLISH_EVERY_MS, new Publisher(TOPIC, broker, log)),
);
manager.addTask(
  "subscriber 1",
  new Subscriber("sub1", TOPIC, broker, 300, log),
);
manager.addTask(
  "subscriber 2",
  new Subscriber("sub2", TOPIC, broker, 200, log),
);

log("pubsub: running; press Ctrl-C to stop (subscribers drain first)");
await runMain(manager);
