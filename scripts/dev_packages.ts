/**
 * Installs the repository's dev-only npm packages (the TypeScript compiler,
 * publint, the benchmarks' peers) when a folder's `node_modules` is missing
 * or older than its lock file. The test runner and the npm build share it.
 *
 * @module
 */

import { exists } from "./runtimes.ts";

/** The repository's root folder. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * Runs `npm ci` (or `npm install` without a lock file) in `dir`, a folder of
 * the repository, unless its `node_modules` is current. Returns the command
 * it ran, or `undefined` when nothing was needed; throws when it fails.
 */
export async function ensureDevPackages(
  dir: string,
  run: (cmd: string[]) => Promise<{ code: number }> = quietRun,
): Promise<string[] | undefined> {
  const path = `${ROOT}/${dir}`;
  if (!await exists(`${path}/package.json`) || await installed(path)) return;
  const cmd = await exists(`${path}/package-lock.json`)
    ? ["npm", "ci", "--no-audit", "--no-fund", "--prefix", dir]
    : ["npm", "install", "--no-audit", "--no-fund", "--prefix", dir];
  const { code } = await run(cmd);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${code})`);
  return cmd;
}

/** Whether `dir`'s node_modules is newer than its lock file (npm ci is slow). */
async function installed(dir: string): Promise<boolean> {
  try {
    const [marker, lock] = await Promise.all([
      Deno.stat(`${dir}/node_modules/.package-lock.json`),
      Deno.stat(`${dir}/package-lock.json`),
    ]);
    return (marker.mtime?.getTime() ?? 0) >=
      (lock.mtime?.getTime() ?? Infinity);
  } catch {
    return false;
  }
}

async function quietRun(cmd: string[]): Promise<{ code: number }> {
  const { code } = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return { code };
}
