/**
 * The pinned runtimes the tests and benchmarks run on, and how to start one:
 * the installed binary when it is the pinned version, else that version from
 * the npm registry through `npx -y`. One place, so the pins cannot drift.
 *
 * @module
 */

/** Node.js major version the suite and benchmarks run on. */
export const NODE_VERSION = "24";
/** Exact Bun version the suite and benchmarks run on. */
export const BUN_VERSION = "1.4.5";

/** What `binary --version` prints, or undefined when it cannot be run. */
async function versionOf(binary: string): Promise<string | undefined> {
  try {
    const { stdout, success } = await new Deno.Command(binary, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The command that starts the pinned `name`, before its own arguments. */
export async function pinnedRuntime(name: "node" | "bun"): Promise<string[]> {
  const version = await versionOf(name);
  if (name === "node" && version?.startsWith(`v${NODE_VERSION}.`)) {
    return ["node"];
  }
  if (name === "bun" && version === BUN_VERSION) return ["bun"];
  const pin = name === "node" ? NODE_VERSION : BUN_VERSION;
  return ["npx", "-y", `${name}@${pin}`];
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
