/**
 * The project's whole check, as `deno task test` runs it: formatting, lint,
 * type check and doc lint, then the one test suite on Deno, Node.js 24 and
 * Bun. A runtime that is not installed at the pinned version is fetched from
 * the npm registry with `npx -y`; one that cannot be had fails the run.
 *
 * The README's code blocks are type-checked too.
 *
 * Prints each runtime's counts and, last, one `N passed, N failed` line.
 *
 * Usage: deno run -A scripts/test.ts [--only deno|node|bun]... [files...]
 *
 * @module
 */

import { exists, pinnedRuntime } from "./runtimes.ts";

const TEST_GLOB = "tests/**/*_test.ts";

interface Counts {
  passed: number;
  failed: number;
}

const root = new URL("..", import.meta.url).pathname;
const args = [...Deno.args];
const only: string[] = [];
for (let i = args.indexOf("--only"); i !== -1; i = args.indexOf("--only")) {
  only.push(...args.splice(i, 2).slice(1));
}
const files = args;

/** Runs a command in the project folder, echoing its output as it comes. */
async function run(cmd: string[], env: Record<string, string> = {}) {
  console.log(`\n$ ${cmd.join(" ")}`);
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const pump = async (
    stream: ReadableStream<Uint8Array>,
    sink: { write(p: Uint8Array): Promise<number> },
  ) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { code: status.code, output };
}

function count(output: string, passed: RegExp, failed: RegExp): Counts {
  const last = (re: RegExp) => {
    const all = [...output.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : NaN;
  };
  return { passed: last(passed), failed: last(failed) };
}

const suites: Record<string, () => Promise<Counts & { code: number }>> = {
  async deno() {
    const { code, output } = await run([
      Deno.execPath(),
      "test",
      "-A",
      ...(files.length ? files : ["tests/"]),
    ]);
    return {
      code,
      ...count(output, /\| (\d+) passed/g, /\| (\d+) failed/g),
    };
  },
  async node() {
    const { code, output } = await run([
      ...await pinnedRuntime("node"),
      "--test",
      "--test-reporter=spec",
      ...(files.length ? files : [TEST_GLOB]),
    ]);
    return { code, ...count(output, /^ℹ pass (\d+)/gm, /^ℹ fail (\d+)/gm) };
  },
  async bun() {
    const { code, output } = await run([
      ...await pinnedRuntime("bun"),
      "test",
      "--timeout=120000",
      ...(files.length ? files.map((f) => `./${f}`) : ["./tests/"]),
    ]);
    return { code, ...count(output, /^\s*(\d+) pass$/gm, /^\s*(\d+) fail$/gm) };
  },
};

async function main(): Promise<number> {
  const deno = Deno.execPath();
  const manifest = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const entryPoints = Object.values(manifest.exports as Record<string, string>);
  // Dev-only packages: the tests' (fast-check) and the benchmarks' peers,
  // which `deno check .` needs to resolve.
  for (const dir of [".", "bench"]) {
    if (!await exists(`${root}/${dir}/package.json`)) continue;
    if (await installed(`${root}/${dir}`)) continue;
    const install = await exists(`${root}/${dir}/package-lock.json`)
      ? ["npm", "ci", "--no-audit", "--no-fund", "--prefix", dir]
      : ["npm", "install", "--no-audit", "--no-fund", "--prefix", dir];
    if ((await run(install)).code !== 0) return fail(`npm install in ${dir}`);
  }
  for (
    const step of [
      [deno, "fmt", "--check"],
      [deno, "lint"],
      [deno, "check", "."],
      [deno, "check", "--doc-only", "README.md"],
      [deno, "doc", "--lint", ...entryPoints],
    ]
  ) {
    if ((await run(step)).code !== 0) return fail(step.slice(1).join(" "));
  }

  const results: [string, Counts & { code: number }][] = [];
  for (const name of only.length ? only : Object.keys(suites)) {
    const suite = suites[name];
    if (!suite) return fail(`unknown runtime ${name}`);
    results.push([name, await suite()]);
  }

  console.log("\nTest results per runtime:");
  let passed = 0, failed = 0, ok = true;
  for (const [name, r] of results) {
    const unreadable = Number.isNaN(r.passed) || Number.isNaN(r.failed);
    const good = r.code === 0 && !unreadable && r.passed > 0 &&
      r.failed === 0;
    ok &&= good;
    passed += unreadable ? 0 : r.passed;
    failed += unreadable ? 1 : r.failed;
    console.log(
      `${name}: ${r.passed} passed, ${r.failed} failed (exit code ${r.code})${
        good ? "" : "  <-- FAILED"
      }`,
    );
  }
  if (!ok && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  return ok ? 0 : 1;
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

function fail(step: string): number {
  console.error(`\n${step} failed`);
  console.log("0 passed, 1 failed");
  return 1;
}

Deno.exit(await main());
