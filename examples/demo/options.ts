/**
 * The demo's command-line options, parsed and validated up front so that a
 * typo stops the program with a clear message before anything starts.
 *
 * @module
 */

/** What the demo was asked to do. */
export interface DemoOptions {
  /** The TCP port to listen on; 0 lets the operating system pick a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
  /** A JSON config file, re-read on SIGHUP; built-in defaults without one. */
  configPath?: string;
  /** Print the usage text and exit. */
  help: boolean;
}

/** The usage text printed by `--help` and after a bad option. */
export const USAGE = `usage: demo [--port N] [--hostname HOST] [--config FILE]

  --port N         port to listen on, 0 to 65535 (default 8000; 0 picks a free one)
  --hostname HOST  interface to listen on (default 127.0.0.1)
  --config FILE    JSON config, e.g. {"greeting": "hello"}; SIGHUP re-reads it
  --help           print this text`;

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
 * @throws {UsageError} For an unknown option, a missing value, or a port that
 * is not a whole number from 0 to 65535.
 */
export function parseOptions(args: readonly string[]): DemoOptions {
  const options: DemoOptions = {
    port: 8000,
    hostname: "127.0.0.1",
    help: false,
  };
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
        options.port = parsePort(value());
        break;
      case "--hostname":
        options.hostname = value();
        if (options.hostname === "") {
          throw new UsageError("--hostname must not be empty");
        }
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

function parsePort(text: string): number {
  // Number("") is 0 and Number("1e3") is 1000: accept plain digits only.
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `--port must be a whole number from 0 to 65535, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return port;
}
