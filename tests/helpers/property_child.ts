/**
 * Runs a script in a child process of the runtime the tests run on (Deno,
 * Node.js or Bun), optionally with a forced garbage collector exposed, and
 * collects its output. Used by the property test (to prove the
 * unhandled-rejection watch fires) and by the soak test.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

const runtime = globalThis as {
  Deno?: { execPath(): string };
  Bun?: unknown;
};

/** The name of the runtime the tests run on. */
export const RUNTIME: "deno" | "bun" | "node" = runtime.Deno
  ? "deno"
  : runtime.Bun
  ? "bun"
  : "node";

/**
 * The command that runs `script` (relative to the repository) on this
 * runtime; with `exposeGc`, `globalThis.gc` exists in it (Bun has `Bun.gc`).
 */
export function runtimeCommand(
  script: string,
  args: string[] = [],
  options: { exposeGc?: boolean } = {},
): string[] {
  const gc = options.exposeGc === true;
  if (runtime.Deno) {
    return [
      runtime.Deno.execPath(),
      "run",
      "-A",
      ...(gc ? ["--v8-flags=--expose-gc"] : []),
      script,
      ...args,
    ];
  }
  if (runtime.Bun) return [process.execPath, script, ...args];
  return [process.execPath, ...(gc ? ["--expose-gc"] : []), script, ...args];
}

/** What a finished child process left. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` in the repository's root and waits for it to exit. */
export function runChild(command: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => stdout += chunk);
    child.stderr!.on("data", (chunk: string) => stderr += chunk);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
