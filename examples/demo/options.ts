/**
 * The demo's command-line options, parsed and validated up front so that a
 * typo stops the program with a clear message before anything starts, and
 * the timings its shutdown is built on (the Kubernetes manifest's test reads
 * them from here).
 *
 * @module
 */

/** What the demo was asked to do. */
export interface DemoOptions {
  /** The TCP port to listen on; 0 lets the operating system pick a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
  /**
   * Milliseconds from the stop signal to the stop: meanwhile `/readyz`
   * fails and requests are still served, so that a load balancer can move
   * traffic away first.
   */
  drainDelay: number;
  /** A JSON config file, re-read on SIGHUP; built-in defaults without one. */
  configPath?: string;
  /** Print the usage text and exit. */
  help: boolean;
}

/** The options when none is given. */
export const DEFAULT_OPTIONS: Readonly<DemoOptions> = {
  port: 8000,
  hostname: "127.0.0.1",
  drainDelay: 0,
  help: false,
};

/** The longest `--drain-delay`: ten minutes. */
export const MAX_DRAIN_DELAY_MS = 600_000;

/**
 * The manager's `shutdownTimeout`, counted from the end of the drain: above
 * the longest `/slow` request, below the 30 s a container orchestrator
 * usually waits before SIGKILL.
 */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/** `runMain`'s last-resort margin on top of the manager's bound. */
export const SHUTDOWN_MARGIN_MS = 5_000;

/**
 * The longest the demo lives after SIGTERM: the drain, then `runMain`'s
 * bound (the manager's timeout and the margin), which counts from the end
 * of the drain. An orchestrator's grace period must be longer.
 */
export function shutdownBudget(
  options: Pick<DemoOptions, "drainDelay">,
): number {
  return options.drainDelay + SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS;
}

/** The usage text printed by `--help` and after a bad option. */
export const USAGE =
  `usage: demo [--port N] [--hostname HOST] [--drain-delay MS] [--config FILE]

  --port N          port to listen on, 0 to 65535 (default 8000; 0 picks a free one)
  --hostname HOST   interface to listen on (default 127.0.0.1)
  --drain-delay MS  after SIGTERM, keep serving this long with /readyz failing,
                    0 to ${MAX_DRAIN_DELAY_MS} (default 0)
  --config FILE     JSON config, e.g. {"greeting": "hello"}; SIGHUP re-reads it
  --help            print this text`;

/** A command-line mistake; its message is meant for the user as it is. */
export class UsageError extends Error {
  /** @param message What is wrong, in the user's terms. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses the demo's arguments. Accepts `--name value` and `--name=value`.
 *
 * @throws {UsageError} For an unknown option, a missing value, a port that
 * is not a whole number from 0 to 65535, or a drain delay out of range.
 */
export function parseOptions(args: readonly string[]): DemoOptions {
  const options: DemoOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = splitOption(args[i]);
    const value = () => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(`${name} needs a value`);
      }
      return next;
    };
    switch (name) {
      case "--port":
        options.port = parseWhole(name, value(), 65535);
        break;
      case "--hostname":
        options.hostname = value();
        if (options.hostname === "") {
          throw new UsageError("--hostname must not be empty");
        }
        break;
      case "--drain-delay":
        options.drainDelay = parseWhole(name, value(), MAX_DRAIN_DELAY_MS);
        break;
      case "--config":
        options.configPath = value();
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(args[i])}`);
    }
  }
  return options;
}

function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  if (!arg.startsWith("--") || equals === -1) return [arg, undefined];
  return [arg.slice(0, equals), arg.slice(equals + 1)];
}

function parseWhole(name: string, text: string, max: number): number {
  // Number("") is 0 and Number("1e3") is 1000: accept plain digits only.
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= max)) {
    throw new UsageError(
      `${name} must be a whole number from 0 to ${max}, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return n;
}
