/**
 * The npm package as a user gets it: built by `scripts/build_npm.ts`, packed
 * with `npm pack`, installed from the tarball into a fresh project outside
 * the repository, then
 * - a program importing every entry point of deno.json's `exports` by its
 *   package name runs on Node.js 22 (the oldest `engines` allows), Node.js 24,
 *   Bun and Deno (through node_modules), and `runMain` ends it with exit code
 *   0 on a real SIGTERM;
 * - `tsc` type-checks a user's code against the declarations in two
 *   settings: ES2022 with its default lib and no `@types/node`, and what
 *   `tsc --init` writes (ESNext) with `@types/node`; `skipLibCheck` off;
 * - publint and arethetypeswrong find nothing wrong.
 *
 * It needs Deno (it drives processes), and it builds once for every runtime,
 * so `scripts/test.ts` runs it once, as its own suite:
 * `deno test -A tests/consumer/npm_package.ts`. The name does not end in
 * `_test.ts`, so the three runtime suites leave it out.
 *
 * @module
 */

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { guarded } from "../helpers/child.ts";
import { BUN_VERSION, NODE_VERSION } from "../../scripts/runtimes.ts";
import { readmeLinks } from "../../scripts/build_npm.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const manifest = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
const exportsMap = manifest.exports as Record<string, string>;
/** Every entry point as a user imports it: `@goasync/core/signals`, … */
const specifiers = Object.keys(exportsMap).map((subpath) =>
  subpath === "." ? manifest.name : `${manifest.name}${subpath.slice(1)}`
);

/** What `npm pack --json` says about the tarball. */
interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

interface Setup {
  tmp: string;
  tarball: string;
  packed: Packed;
  pkg: Record<string, unknown>;
  /** The fresh project the tarball is installed in. */
  app: string;
  /** The real binary of each runtime (not the npx wrapper, which a signal would end). */
  binaries: Record<"node22" | "node24" | "bun" | "deno", string>;
}

let tmp: string | undefined;
const setup = prepare();
setup.catch(() => {}); // each test awaits it and fails with its error

after(async () => {
  if (tmp) await Deno.remove(tmp, { recursive: true });
});

async function prepare(): Promise<Setup> {
  tmp = await Deno.makeTempDir({ prefix: "goasync-npm-" });
  const dir = `${tmp}/package`;
  const app = `${tmp}/app`;
  const [binaries] = await Promise.all([
    runtimeBinaries(),
    exec([Deno.execPath(), "run", "-A", "scripts/build_npm.ts", "--out", dir], {
      timeout: 120_000,
    }),
  ]);
  const pkg = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  const { stdout } = await exec(
    [
      "npm",
      "pack",
      dir,
      "--pack-destination",
      tmp,
      "--json",
      "--loglevel=error",
    ],
  );
  const [packed] = JSON.parse(stdout) as Packed[];
  const tarball = `${tmp}/${packed.filename}`;

  await Deno.mkdir(app);
  await Deno.writeTextFile(
    `${app}/package.json`,
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  // No dependencies: the tarball alone, from disk, no registry.
  await exec([
    "npm",
    "install",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
  ], { cwd: app });
  await Deno.writeTextFile(`${app}/main.js`, consumerProgram());
  await writeTypeChecks(app);
  return { tmp, tarball, packed, pkg, app, binaries };
}

test("the tarball holds package.json, README, LICENSE, docs/ and the compiled mod.ts and src/ only", async () => {
  const { packed, pkg } = await setup;
  const paths = packed.files.map((f) => f.path).sort();
  console.log(
    `${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${paths.length} files`,
  );
  const strays = paths.filter((p) =>
    !/^(package\.json|README\.md|LICENSE|docs\/[^/]+\.md|mod\.(js|d\.ts)|src\/.+\.(js|d\.ts))$/
      .test(p)
  );
  assert.deepEqual(strays, []);
  // One .js and one .d.ts per module.
  const js = paths.filter((p) => p.endsWith(".js"));
  assert.deepEqual(
    paths.filter((p) => p.endsWith(".d.ts")),
    js.map((p) => p.replace(/\.js$/, ".d.ts")),
  );

  assert.equal(pkg.name, manifest.name);
  assert.equal(pkg.version, manifest.version);
  assert.equal(pkg.type, "module");
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.license, manifest.license);
  assert.match((pkg.engines as { node: string }).node, /^>=\d+$/);
  const exports = pkg.exports as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(exports),
    [...Object.keys(exportsMap), "./package.json"],
  );
  for (const [subpath, source] of Object.entries(exportsMap)) {
    const stem = source.replace(/^\.\//, "").replace(/\.ts$/, "");
    // `types` first: conditions are matched in order.
    assert.deepEqual(Object.entries(exports[subpath] as object), [
      ["types", `./${stem}.d.ts`],
      ["default", `./${stem}.js`],
    ]);
    assert.ok(paths.includes(`${stem}.js`) && paths.includes(`${stem}.d.ts`));
  }
});

test("every relative link in the packed README and docs points at a packed file", async () => {
  const { app, packed } = await setup;
  const root = `${app}/node_modules/${manifest.name}`;
  const paths = new Set(packed.files.map((f) => f.path));
  const pages = [...paths].filter((p) => p.endsWith(".md"));
  assert.ok(pages.includes("README.md") && pages.length > 1, pages.join(" "));
  const broken: string[] = [];
  for (const page of pages) {
    const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/")) : "";
    for (
      const link of readmeLinks(await Deno.readTextFile(`${root}/${page}`))
    ) {
      const target = new URL(link, `file:///${dir ? `${dir}/` : ""}`).pathname
        .slice(1);
      if (!paths.has(target)) broken.push(`${page}: ${link}`);
    }
  }
  assert.deepEqual(broken, [], "links outside the package");
});

for (
  const [runtime, label] of [
    ["node22", "Node.js 22"],
    ["node24", `Node.js ${NODE_VERSION}`],
    ["bun", `Bun ${BUN_VERSION}`],
    ["deno", `Deno ${Deno.version.deno} (node_modules)`],
  ] as const
) {
  test(`${label}: every entry point imports by name; runMain exits 0 on SIGTERM`, async () => {
    const { app, binaries } = await setup;
    const args = runtime === "deno" ? ["run", "-A", "main.js"] : ["main.js"];
    const result = await runUntilSigterm([binaries[runtime], ...args], app);
    console.log(
      `${label}: exit ${result.code}, stdout ${JSON.stringify(result.stdout)}`,
    );
    assert.equal(result.stderr, "");
    assert.equal(
      result.stdout,
      `ready ${specifiers.join(" ")}\nstopping: received SIGTERM\ncleaned up\n`,
    );
    assert.equal(result.code, 0);
  });
}

const TSCONFIGS: Record<string, Record<string, unknown>> = {
  // The settings most Node.js projects have, with ES2022's default lib and
  // no @types/node: the declarations alone must bring what they use.
  "ES2022, default lib": {
    target: "ES2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    types: [],
  },
  // What `tsc --init` (5.9) writes, plus @types/node, whose own disposable
  // declarations meet the ones the package brings in.
  "tsc --init + @types/node": {
    module: "nodenext",
    target: "esnext",
    types: ["node"],
    typeRoots: [`${ROOT}node_modules/@types`],
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    strict: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noUncheckedSideEffectImports: true,
    moduleDetection: "force",
  },
};

for (const [name, options] of Object.entries(TSCONFIGS)) {
  test(`tsc (${name}): a user's code type-checks against the declarations`, async () => {
    const { app, binaries } = await setup;
    const config = `tsconfig.${name.replace(/\W+/g, "-")}.json`;
    await Deno.writeTextFile(
      `${app}/${config}`,
      JSON.stringify({
        compilerOptions: { ...options, noEmit: true, skipLibCheck: false },
        include: ["*.ts"],
      }),
    );
    const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
    const { code, stdout } = await exec(
      [binaries.node24, tsc, "-p", config, "--pretty", "false"],
      { cwd: app, check: false },
    );
    assert.equal(stdout, "", `tsc -p ${config}`);
    assert.equal(code, 0);
  });
}

test("publint: no error, warning or suggestion", async () => {
  const { tarball } = await setup;
  const { stdout } = await exec(
    [`${ROOT}node_modules/.bin/publint`, "run", "--strict", tarball],
  );
  console.log(stdout.trim());
  assert.match(stdout, /All good!/);
});

// ESM only by design: `node10` resolution predates `exports`, and CommonJS
// `require` of an ES module is `require(esm)`, not types gone wrong.
test("arethetypeswrong (esm-only profile): no problem", async () => {
  const { tarball } = await setup;
  const { stdout } = await exec([
    `${ROOT}node_modules/.bin/attw`,
    "--profile",
    "esm-only",
    "--format",
    "table-flipped",
    "--no-color",
    "--no-emoji",
    tarball,
  ]);
  console.log(stdout.trim());
});

/**
 * The consumer program: imports every entry point by name, runs one task
 * under `runMain`, prints `ready` with the entry points that loaded.
 */
function consumerProgram(): string {
  const imports = specifiers.map((s, i) => `import * as m${i} from "${s}";`);
  return `${imports.join("\n")}
const entryPoints = { ${specifiers.map((s, i) => `"${s}": m${i}`).join(", ")} };
const loaded = Object.entries(entryPoints)
  .filter(([, module]) => Object.keys(module).length > 0)
  .map(([name]) => name);
const manager = new m0.TaskManager({ shutdownTimeout: 10_000 });
manager.addTask("service", {
  execute: (signal) =>
    new Promise((resolve) => {
      signal.addEventListener("abort", () => {
        console.log(\`stopping: \${signal.reason.message}\`);
        resolve();
      }, { once: true });
      console.log(\`ready \${loaded.join(" ")}\`);
    }),
  cleanup: () => console.log("cleaned up"),
});
await m${specifiers.indexOf("@goasync/core/signals")}.runMain(manager);
`;
}

/** Copies the type-check fixtures into `app`, with one that imports every entry point. */
async function writeTypeChecks(app: string): Promise<void> {
  for (const file of ["types.ts", "dispose.ts"]) {
    await Deno.copyFile(`${FIXTURES}${file}`, `${app}/${file}`);
  }
  const entries = specifiers.map((s, i) => `import * as m${i} from "${s}";`);
  await Deno.writeTextFile(
    `${app}/entries.ts`,
    `${entries.join("\n")}\nexport const modules: object[] = [${
      specifiers.map((_, i) => `m${i}`).join(", ")
    }];\n`,
  );
}

/** The real binaries, found once through `npx -y` (which caches them). */
async function runtimeBinaries(): Promise<Setup["binaries"]> {
  const oldest = await oldestNode();
  const execPath = async (cmd: string[]) =>
    (await exec([...cmd, "-p", "process.execPath"], { timeout: 120_000 }))
      .stdout.trim();
  const [node22, node24, bun] = await Promise.all([
    execPath(["npx", "-y", `node@${oldest}`]),
    execPath(["npx", "-y", `node@${NODE_VERSION}`]),
    execPath(["npx", "-y", `bun@${BUN_VERSION}`]),
  ]);
  return { node22, node24, bun, deno: Deno.execPath() };
}

/** The major version in scripts/build_npm.ts's `engines.node` (">=22"). */
async function oldestNode(): Promise<string> {
  const source = await Deno.readTextFile(`${ROOT}scripts/build_npm.ts`);
  const match = source.match(/const NODE_ENGINE = ">=(\d+)"/);
  assert.ok(match, "NODE_ENGINE in scripts/build_npm.ts");
  return match[1];
}

/**
 * Runs `cmd` to its end within `timeout` ms; rejects with its output when
 * it fails (unless `check` is false) or runs out of time.
 */
async function exec(
  cmd: string[],
  { cwd = ROOT, timeout = 60_000, check = true } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const signal = AbortSignal.timeout(timeout);
  const output = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const decoder = new TextDecoder();
  const result = {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  if (signal.aborted || (check && !output.success)) {
    throw new Error(
      `${cmd.join(" ")} ${
        signal.aborted ? `ran past ${timeout} ms` : `exited ${output.code}`
      }\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * Starts `cmd` in `cwd`, waits for its `ready` line, sends it a real SIGTERM
 * and waits for it to exit; every wait is bounded.
 */
async function runUntilSigterm(
  cmd: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = { stdout: "", stderr: "" };
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const read = async (name: "stdout" | "stderr") => {
    for await (const text of child[name].pipeThrough(new TextDecoderStream())) {
      output[name] += text;
      if (/^ready .*\n/m.test(output.stdout)) resolve();
    }
  };
  const exited = Promise.all([child.status, read("stdout"), read("stderr")]);
  try {
    await guarded(
      Promise.race([ready, exited.then(() => assert.fail("exited early"))]),
      30_000,
      "ready line",
    );
    child.kill("SIGTERM");
    const [status] = await guarded(exited, 15_000, "exit after SIGTERM");
    return { code: status.code, ...output };
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* it has exited */ }
    await exited.catch(() => {});
    throw new Error(
      `${cmd.join(" ")}: ${
        (error as Error).message
      }\n--- stdout ---\n${output.stdout}\n--- stderr ---\n${output.stderr}`,
    );
  }
}
