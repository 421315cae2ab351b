/**
 * The demo's configuration: read from a JSON file (or built-in defaults) when
 * the service starts, and read again on SIGHUP through `interruptible`, which
 * restarts this task (cleanup, initialize, execute) without stopping the
 * others.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import type { Task } from "../../mod.ts";
import { untilAborted } from "./until_aborted.ts";

/** What can be configured. */
export interface Config {
  /** The first word of the answer to `GET /`. */
  greeting: string;
}

/** The configuration in use when no file is given. */
export const DEFAULT_CONFIG: Config = { greeting: "hello" };

/** Holds the configuration in use; the HTTP handler reads it per request. */
export class ConfigStore {
  /** The configuration in use. */
  current: Config = DEFAULT_CONFIG;
}

/**
 * Reads and checks the config file; without a path, the defaults.
 *
 * @throws When the file cannot be read, is not JSON, or has a bad field.
 */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (path === undefined) return DEFAULT_CONFIG;
  const data: unknown = JSON.parse(await readFile(path, "utf8"));
  const greeting = (data as { greeting?: unknown } | null)?.greeting ??
    DEFAULT_CONFIG.greeting;
  if (typeof greeting !== "string" || greeting.trim() === "") {
    throw new Error(`${path}: "greeting" must be a non-empty string`);
  }
  return { greeting };
}

/**
 * The config task, to be wrapped in `interruptible(["SIGHUP"], ...)`. The
 * first load must succeed, or the service does not start; a failed reload
 * keeps the configuration in use, so a typo in the file cannot take a running
 * service down.
 */
export function configTask(
  store: ConfigStore,
  path: string | undefined,
  log: (line: string) => void,
): Task {
  const source = path ?? "built-in defaults";
  let loads = 0;
  return {
    async initialize() {
      const first = loads++ === 0;
      try {
        store.current = await loadConfig(path);
      } catch (error) {
        if (first) throw error;
        log(`config: reload failed, keeping the previous config: ${error}`);
        return;
      }
      const greeting = JSON.stringify(store.current.greeting);
      log(
        `config: ${
          first ? "loaded" : "reloaded"
        } from ${source} (greeting ${greeting})`,
      );
    },
    // Nothing to do between loads but wait for a SIGHUP or the stop.
    execute: untilAborted,
  };
}
