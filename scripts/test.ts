/**
 * The project's whole check, as `deno task test` runs it: formatting, lint,
 * type check (the README's code blocks too), doc lint and a `deno publish`
 * dry run; then the one test suite on Deno, Node.js 24 and Bun; then, once,
 * the npm package's consumer tests (`tests/consumer/npm_package.ts`: build,
 * pack, install, run on Node.js 22 and 24, Bun and Deno, tsc, publint,
 * arethetypeswrong). A runtime that is not installed at the pinned version is
 * fetched from the npm registry with `npx -y`; one that cannot be had fails
 * the run.
 *
 * A suite passes when its exit code is 0; nothing else decides. Its counts
 * come from its runner's JUnit report, and are only printed: each suite's,
 * then, last, one `N passed, N failed` line (a suite that failed without a
 * failed test in its report counts as one failure).
 *
 * Usage: deno run -A scripts/test.ts [--only deno|node|bun|consumer]... [files...]
 * With files, the runtime suites run those files only, and the consumer
 * suite only when named with `--only`.
 *
 * @module
 */

import { pinnedRuntime } from "./runtimes.ts";
import { ensureDevPackages, ROOT } from "./dev_packages.ts";

const TEST_GLOB = "tests/**/*_test.ts";
const CONSUMER_TESTS = "tests/consumer/npm_package.ts";

/** What a suite's JUnit report counts. */
interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const args = [...Deno.args];
const only: string[] = [];
for (let i = args.indexOf("--only"); i !== -1; i = args.indexOf("--only")) {
  only.push(...args.splice(i, 2).slice(1));
}
const files = args;

/** Runs a command in the project folder, its output going straight through. */
async function run(cmd: string[]): Promise<{ code: number }> {
  console.log(`\n$ ${cmd.join(" ")}`);
  const { code } = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return { code };
}

/** Each suite's command, writing a JUnit report to `report`. */
const suites: Record<
  string,
  (report: string) => string[] | Promise<string[]>
> = {
  deno: (report) => [
    Deno.execPath(),
    "test",
    "-A",
    `--junit-path=${report}`,
    ...(files.length ? files : ["tests/"]),
  ],
  node: async (report) => [
    ...await pinnedRuntime("node"),
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=junit",
    `--test-reporter-destination=${report}`,
    ...(files.length ? files : [TEST_GLOB]),
  ],
  bun: async (report) => [
    ...await pinnedRuntime("bun"),
    "test",
    "--timeout=120000",
    "--reporter=junit",
    `--reporter-outfile=${report}`,
    ...(files.length ? files.map((f) => `./${f}`) : ["./tests/"]),
  ],
  // `deno check .` has checked it already.
  consumer: (report) => [
    Deno.execPath(),
    "test",
    "-A",
    "--no-check",
    `--junit-path=${report}`,
    CONSUMER_TESTS,
  ],
};

/**
 * The test cases of a JUnit report (Deno's, Node's and Bun's all write
 * `<testcase>` elements, with a `<failure>` or `<skipped>` inside), or
 * `undefined` when there is no readable report.
 */
async function countReport(path: string): Promise<Counts | undefined> {
  let xml: string;
  try {
    xml = await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const cases = xml.matchAll(
    /<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g,
  );
  for (const [, body = ""] of cases) {
    if (/<(failure|error)\b/.test(body)) counts.failed++;
    else if (/<skipped\b/.test(body)) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

async function main(): Promise<number> {
  const names = only.length
    ? only
    : files.length
    ? ["deno", "node", "bun"]
    : Object.keys(suites);
  const unknown = names.filter((name) => !(name in suites));
  if (unknown.length) return fail(`unknown suite ${unknown.join(", ")}`);

  const deno = Deno.execPath();
  const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const entryPoints = Object.values(manifest.exports as Record<string, string>);
  // Dev-only packages: the tests' (fast-check), the npm build's (TypeScript,
  // publint, arethetypeswrong) and the benchmarks' peers, which `deno check .`
  // needs to resolve.
  for (const dir of [".", "bench"]) {
    try {
      await ensureDevPackages(dir, run);
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  for (
    const step of [
      [deno, "fmt", "--check"],
      [deno, "lint"],
      [deno, "check", "."],
      [deno, "check", "--doc-only", "README.md", ...await docPages()],
      [deno, "doc", "--lint", ...entryPoints],
      [deno, "publish", "--dry-run", "--allow-dirty"],
    ]
  ) {
    if ((await run(step)).code !== 0) return fail(step.slice(1).join(" "));
  }

  const reports = await Deno.makeTempDir({ prefix: "goasync-test-" });
  const results: [string, number, Counts | undefined][] = [];
  try {
    for (const name of names) {
      const report = `${reports}/${name}.xml`;
      const { code } = await run(await suites[name](report));
      results.push([name, code, await countReport(report)]);
    }
  } finally {
    await Deno.remove(reports, { recursive: true });
  }

  console.log("\nTest results per suite:");
  let passed = 0, failed = 0;
  for (const [name, code, counts] of results) {
    const bad = code === 0 ? 0 : Math.max(1, counts?.failed ?? 0);
    passed += counts?.passed ?? 0;
    failed += bad;
    const tally = counts
      ? `${counts.passed} passed, ${counts.failed} failed${
        counts.skipped ? `, ${counts.skipped} skipped` : ""
      }`
      : "no report";
    console.log(
      `${name}: ${tally} (exit code ${code})${bad ? "  <-- FAILED" : ""}`,
    );
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/** The pages under docs/, whose code blocks are type-checked like the README's. */
async function docPages(): Promise<string[]> {
  const pages: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/docs`)) {
    if (entry.isFile && entry.name.endsWith(".md")) {
      pages.push(`docs/${entry.name}`);
    }
  }
  return pages.sort();
}

function fail(step: string): number {
  console.error(`\n${step} failed`);
  console.log("0 passed, 1 failed");
  return 1;
}

Deno.exit(await main());
