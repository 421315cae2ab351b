/**
 * The few things the signals layer needs from a runtime, behind one interface
 * so that Deno and Node.js/Bun each need only a small adapter.
 *
 * @module
 */

import type { OsSignal, SignalPlatform } from "./os_signal.ts";

/** One runtime's OS-signal and process primitives. */
export interface SignalRuntime {
  /** A human name for messages: "Deno 2.9.6", "Node.js v24.1.0", "Bun 1.4.5". */
  readonly name: string;
  /** Which signal numbering the operating system uses. */
  readonly platform: SignalPlatform;
  /** Installs a raw OS-signal listener. */
  listen(signal: OsSignal, listener: () => void): void;
  /** Removes a listener installed with `listen`. */
  unlisten(signal: OsSignal, listener: () => void): void;
  /** Writes text to standard error; resolves once the runtime has taken it. */
  writeStderr(text: string): Promise<void>;
  /**
   * Resolves once what was written to stdout and stderr has been handed to
   * the operating system, so that exiting next loses nothing.
   */
  flush(): Promise<void>;
  /** Ends the process with `code` at once. */
  exit(code: number): void;
}
