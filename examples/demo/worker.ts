/**
 * The background worker: takes jobs that `POST /jobs` queued and works
 * through them one at a time. On shutdown it stops taking new jobs but
 * finishes the ones already accepted, since their clients were told 202.
 *
 * @module
 */

import type { Task } from "../../mod.ts";

/** One queued job. */
export interface Job {
  /** Numbered from 1, in the order accepted. */
  readonly id: number;
  /** The request body. */
  readonly payload: string;
}

/** Jobs waiting for the worker; one consumer. */
export class JobQueue {
  readonly #jobs: Job[] = [];
  #nextId = 1;
  #closed = false;
  #wake: (() => void) | undefined = undefined;

  /** Accepts a job; returns its id, or `undefined` once the queue is closed. */
  add(payload: string): number | undefined {
    if (this.#closed) return undefined;
    const id = this.#nextId++;
    this.#jobs.push({ id, payload });
    this.#wake?.();
    return id;
  }

  /** Accepts no more jobs; those already queued are still handed out. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** The next job, waiting for one; `undefined` once closed and empty. */
  async next(): Promise<Job | undefined> {
    while (this.#jobs.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    return this.#jobs.shift();
  }
}

/** How long one job takes: stands in for real work. */
const JOB_MS = 100;

/** The payload of a job that makes the worker fail, to watch it restart. */
export const CRASH = "crash";

/**
 * The worker task: runs jobs until the stop, then finishes the queue. A
 * `crash` job makes it throw; the manager restarts it (its restart policy
 * is set in main.ts), and the queue, which outlives the attempt, keeps the
 * jobs not yet run.
 */
export function workerTask(
  jobs: JobQueue,
  onDone: () => void,
  log: (line: string) => void,
): Task {
  return {
    async execute(signal) {
      log("worker: started");
      const stop = () => {
        log("worker: stopping, finishing queued jobs");
        jobs.close();
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
      let done = 0;
      try {
        for (let job = await jobs.next(); job; job = await jobs.next()) {
          if (job.payload === CRASH) {
            throw new Error(`job ${job.id} asked the worker to crash`);
          }
          await new Promise((resolve) => setTimeout(resolve, JOB_MS));
          done++;
          onDone();
          log(`worker: job ${job.id} done (${job.payload.length} bytes)`);
        }
      } finally {
        // This attempt's listener only: a restarted worker adds its own.
        signal.removeEventListener("abort", stop);
      }
      log(`worker: stopped after ${done} job${done === 1 ? "" : "s"}`);
    },
  };
}
