/**
 * Builds the npm package, as `deno task build:npm` runs it: ESM `.js` and
 * `.d.ts` for every module the entry points in deno.json's `exports` reach
 * (only `mod.ts` and `src/`), compiled by the TypeScript compiler from
 * node_modules, plus package.json, README.md and LICENSE.
 *
 * Node.js refuses to strip types under node_modules, so Node users need this
 * (or JSR's own npm layer, which cannot be reached from here).
 *
 * Usage: deno run -A scripts/build_npm.ts [--out dir]   (default: npm/)
 *
 * @module
 */

import { createRequire } from "node:module";
import type * as TypeScript from "typescript";
import { ensureDevPackages, ROOT } from "./dev_packages.ts";

/** What the package says about itself beyond deno.json. */
const DESCRIPTION =
  "A lifecycle manager for long-running JavaScript programs (services, workers, daemons): a TypeScript port of Go's goasync for Deno, Node.js and Bun.";
const KEYWORDS = [
  "lifecycle",
  "graceful-shutdown",
  "task-manager",
  "supervisor",
  "abortsignal",
  "signals",
  "goasync",
  "deno",
  "bun",
];
/**
 * Node.js 22 is the first with `Promise.withResolvers`, which the signals
 * layer uses; `Symbol.dispose` and `Symbol.asyncDispose` came earlier.
 */
const NODE_ENGINE = ">=22";
/**
 * The syntax the `.js` files keep as written: ES2022 (class fields, `#private`,
 * top-level await) runs natively on every supported runtime. Library calls
 * are typed by `LIB`; none of them is polyfilled.
 */
const TARGET = "ES2022";
const LIB = [
  "lib.es2024.d.ts",
  "lib.esnext.disposable.d.ts",
  "lib.dom.d.ts",
  "lib.dom.iterable.d.ts",
];

/** One entry point of the package. */
export interface EntryPoint {
  /** The import condition `types`: the path of its `.d.ts` in the package. */
  types: string;
  /** The import condition `default`: the path of its `.js` in the package. */
  default: string;
}

/** What {@linkcode buildNpm} wrote. */
export interface BuildResult {
  /** The package folder. */
  dir: string;
  /** The package.json it wrote. */
  packageJson: Record<string, unknown>;
  /** Every file written, relative to `dir`, sorted. */
  files: string[];
  /** Relative README links whose target is not in the package. */
  brokenLinks: string[];
}

/**
 * Writes the npm package to `dir` (emptied first).
 *
 * @throws {Error} When the compiler reports an error, or a module outside
 * `mod.ts` and `src/` would be shipped.
 */
export async function buildNpm(dir = `${ROOT}npm`): Promise<BuildResult> {
  await ensureDevPackages(".");
  // Required, not imported: Deno resolves imports against node_modules as
  // it was at startup, before a fresh clone's `npm ci` above.
  const ts: typeof TypeScript = createRequire(import.meta.url)("typescript");
  const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const exports = manifest.exports as Record<string, string>;

  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(dir, { recursive: true });

  const files = compile(ts, Object.values(exports), dir);
  const packageJson = {
    name: manifest.name,
    version: manifest.version,
    description: DESCRIPTION,
    keywords: KEYWORDS,
    license: manifest.license,
    type: "module",
    sideEffects: false,
    engines: { node: NODE_ENGINE },
    // For tools that predate `exports` (TypeScript's `node10` resolution).
    main: jsPath(exports["."]),
    types: dtsPath(exports["."]),
    exports: {
      ...Object.fromEntries(
        Object.entries(exports).map(([subpath, source]) => [
          subpath,
          { types: dtsPath(source), default: jsPath(source) },
        ]),
      ),
      "./package.json": "./package.json",
    },
  };
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify(packageJson, null, 2) + "\n",
  );
  await Deno.copyFile(`${ROOT}README.md`, `${dir}/README.md`);
  await Deno.copyFile(`${ROOT}LICENSE`, `${dir}/LICENSE`);
  files.push("package.json", "README.md", "LICENSE");
  // The README links the guides in docs/; they ship as they are on JSR.
  await Deno.mkdir(`${dir}/docs`);
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    if (!entry.isFile || !entry.name.endsWith(".md")) continue;
    await Deno.copyFile(
      `${ROOT}docs/${entry.name}`,
      `${dir}/docs/${entry.name}`,
    );
    files.push(`docs/${entry.name}`);
  }

  const brokenLinks = readmeLinks(await Deno.readTextFile(`${dir}/README.md`))
    .filter((link) => !files.includes(link.replace(/^\.\//, "")));
  return { dir, packageJson, files: files.sort(), brokenLinks };
}

/**
 * Compiles `entries` and every module they import into `dir`, rewriting the
 * `.ts` import specifiers to `.js`. Returns the files written, relative.
 */
function compile(
  ts: typeof TypeScript,
  entries: string[],
  dir: string,
): string[] {
  const options: TypeScript.CompilerOptions = {
    target: ts.ScriptTarget[TARGET],
    lib: LIB,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    rewriteRelativeImportExtensions: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    strict: true,
    declaration: true,
    removeComments: false,
    newLine: ts.NewLineKind.LineFeed,
    noEmitOnError: true,
    skipLibCheck: true,
    // The HTTP adapter imports `node:http`; Deno's check has these types too.
    types: ["node"],
    typeRoots: [`${ROOT}node_modules/@types`],
    rootDir: ROOT,
    outDir: dir,
  };
  const program = ts.createProgram(entries.map((e) => `${ROOT}${e}`), options);
  const problems = ts.getPreEmitDiagnostics(program);
  if (problems.length > 0) throw new Error(describe(ts, problems));
  const written: string[] = [];
  const result = program.emit(
    undefined,
    (path, text) => {
      const relative = path.slice(dir.length + 1);
      if (!/^(mod\.(js|d\.ts)|src\/.*)$/.test(relative)) {
        throw new Error(`refusing to ship ${relative}: only mod.ts and src/`);
      }
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      Deno.writeTextFileSync(path, text);
      written.push(relative);
    },
    undefined,
    false,
    { afterDeclarations: [finishDeclarations(ts)] },
  );
  if (result.emitSkipped || result.diagnostics.length > 0) {
    throw new Error(describe(ts, result.diagnostics));
  }
  return written;
}

/** The compiler's messages, and what to do about a runtime's globals. */
function describe(
  ts: typeof TypeScript,
  diagnostics: readonly TypeScript.Diagnostic[],
): string {
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
  return /Cannot find (name|namespace) '(Deno|Bun)'/.test(text)
    ? `${text}\nThe npm build compiles with lib.dom and @types/node only: reach Deno and Bun through a structural type of the part you use, as src/signals/ does, not their ambient types.`
    : text;
}

/**
 * A declaration transform that finishes each `.d.ts`:
 * - its relative `.ts` import specifiers become `.js`, as in the `.js` files
 *   (the compiler rewrites those only): TypeScript before 5.0 and tools that
 *   bundle it cannot resolve `./x.ts` to `./x.d.ts`;
 * - a `.d.ts` that names `Symbol.dispose`, `Symbol.asyncDispose`,
 *   `Disposable` or `AsyncDisposable` gets
 *   `/// <reference lib="esnext.disposable" />`: ES2022's default lib (what
 *   most projects have) lacks those names, and the reference brings them in,
 *   so both the declarations and a user's `using` type-check.
 */
function finishDeclarations(
  ts: typeof TypeScript,
): TypeScript.TransformerFactory<TypeScript.SourceFile | TypeScript.Bundle> {
  const f = ts.factory;
  const specifier = (node: TypeScript.Expression) =>
    ts.isStringLiteral(node) && /^\.\.?\/.*\.ts$/.test(node.text)
      ? f.createStringLiteral(node.text.replace(/\.ts$/, ".js"))
      : node;
  return (context) => (root) => {
    if (!ts.isSourceFile(root)) return root;
    const visit = (node: TypeScript.Node): TypeScript.Node => {
      if (ts.isImportDeclaration(node)) {
        return f.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          specifier(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        return f.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          specifier(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (
        ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) &&
        ts.isStringLiteral(node.argument.literal)
      ) {
        return f.updateImportTypeNode(
          node,
          f.updateLiteralTypeNode(
            node.argument,
            specifier(node.argument.literal) as TypeScript.StringLiteral,
          ),
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    const file = ts.visitEachChild(root, visit, context);
    if (!mentionsDisposable(ts, root)) return file;
    const lib = { fileName: "esnext.disposable", pos: -1, end: -1 };
    return f.updateSourceFile(
      file,
      file.statements,
      file.isDeclarationFile,
      file.referencedFiles,
      file.typeReferenceDirectives,
      file.hasNoDefaultLib,
      [...file.libReferenceDirectives, { ...lib, preserve: true }],
    );
  };
}

function mentionsDisposable(
  ts: typeof TypeScript,
  root: TypeScript.Node,
): boolean {
  const named = (node: TypeScript.Node, names: string[]) =>
    ts.isIdentifier(node) && names.includes(node.text);
  const visit = (node: TypeScript.Node): boolean =>
    (ts.isPropertyAccessExpression(node) &&
      named(node.expression, ["Symbol"]) &&
      named(node.name, ["dispose", "asyncDispose"])) ||
    ((ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) &&
      named(
        ts.isTypeReferenceNode(node) ? node.typeName : node.expression,
        ["Disposable", "AsyncDisposable"],
      )) ||
    ts.forEachChild(node, visit) === true;
  return visit(root);
}

/** `./src/x.ts` as its compiled `.js`. */
function jsPath(source: string): string {
  return source.replace(/\.ts$/, ".js");
}

/** `./src/x.ts` as its `.d.ts`. */
function dtsPath(source: string): string {
  return source.replace(/\.ts$/, ".d.ts");
}

/**
 * The relative link targets of a Markdown text (inline links and images,
 * outside code), without their `#fragment` or `?query`.
 */
export function readmeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/`[^`\n]*`/g, "");
  const targets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]);
  return [
    ...new Set(
      targets
        .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#"))
        .map((t) => t.replace(/[?#].*$/, "")),
    ),
  ];
}

if (import.meta.main) {
  const out = Deno.args.indexOf("--out");
  const dir = out === -1 ? `${ROOT}npm` : Deno.args[out + 1];
  const result = await buildNpm(dir);
  const entries = Object.keys(result.packageJson.exports as object);
  console.log(
    `${result.packageJson.name}@${result.packageJson.version}: ${result.files.length} files in ${result.dir}`,
  );
  console.log(`entry points: ${entries.join(", ")}`);
  for (const link of result.brokenLinks) {
    console.warn(`README.md links ${link}, which the package does not contain`);
  }
}
