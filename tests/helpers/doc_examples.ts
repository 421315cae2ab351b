/**
 * Finds every fenced `ts` example in the documentation: the JSDoc comments
 * of `mod.ts` and `src/**\/*.ts` (their leading ` * ` stripped), `README.md`
 * and `docs/*.md`; and writes one as a program whose `@goasync/core…`
 * imports point at this repository's files, through `deno.json`'s exports.
 *
 * @module
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./child.ts";

/** One fenced example. */
export interface DocExample {
  /** Repository-relative path of the file it is in. */
  file: string;
  /** 1-based line of its opening fence. */
  line: number;
  /** Whether the fence says `ts ignore`: not run. */
  ignored: boolean;
  /** The code, as a reader sees it. */
  code: string;
}

const FENCE = /^```(\S*)(.*)$/;

/** Every `ts` example in the documentation, in file and line order. */
export function findDocExamples(): DocExample[] {
  const examples: DocExample[] = [];
  for (const file of documentedFiles()) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const lines = text.split("\n").map((line) =>
      file.endsWith(".ts") ? commentText(line) : line
    );
    examples.push(...fenced(file, lines));
  }
  return examples;
}

/** The text of a JSDoc line without its ` * `, or "" for code. */
function commentText(line: string): string {
  const match = /^\s*\*(?: |$)(.*)$/.exec(line);
  return match ? match[1] : "";
}

function fenced(file: string, lines: string[]): DocExample[] {
  const found: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const indent = /^\s*/.exec(lines[i])![0];
    const open = FENCE.exec(lines[i].slice(indent.length));
    if (!open) continue;
    const end = lines.findIndex((line, j) =>
      j > i && line.slice(indent.length).trimEnd() === "```"
    );
    if (end === -1) break;
    if (open[1] === "ts") {
      found.push({
        file,
        line: i + 1,
        ignored: open[2].trim().split(/\s+/).includes("ignore"),
        code: lines.slice(i + 1, end).map((line) =>
          line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()
        ).join("\n"),
      });
    }
    i = end;
  }
  return found;
}

function documentedFiles(): string[] {
  const files = ["mod.ts", ...walk("src").filter((f) => f.endsWith(".ts"))];
  files.push("README.md");
  if (fs.existsSync(path.join(ROOT, "docs"))) {
    files.push(
      ...fs.readdirSync(path.join(ROOT, "docs"))
        .filter((name) => name.endsWith(".md"))
        .sort()
        .map((name) => `docs/${name}`),
    );
  }
  return files;
}

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .sort((a, b) => a.name < b.name ? -1 : 1)
    .flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      return entry.isDirectory() ? walk(relative) : [relative];
    });
}

let cachedMap: Map<string, string> | undefined;

/** `@goasync/core` and its subpaths, as file URLs, from deno.json's exports. */
function importMap(): Map<string, string> {
  if (cachedMap) return cachedMap;
  const config = JSON.parse(
    fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
  );
  const map = new Map<string, string>();
  for (const [key, target] of Object.entries(config.exports ?? {})) {
    const specifier = key === "."
      ? config.name
      : `${config.name}${key.slice(1)}`;
    map.set(specifier, pathToFileURL(path.join(ROOT, target as string)).href);
  }
  return cachedMap = map;
}

/**
 * Writes `example` to a fresh temporary folder with its package imports
 * mapped to this repository, and returns the program's path. Unknown
 * `@goasync/core/…` subpaths are left as they are (and fail to resolve).
 */
export function writeDocExample(example: DocExample, folder: string): string {
  const map = importMap();
  const code = example.code.replace(
    /(["'])(@goasync\/core(?:\/[\w-]+)?)\1/g,
    (whole, _quote, specifier) => {
      const target = map.get(specifier);
      return target === undefined ? whole : JSON.stringify(target);
    },
  );
  const name = `${example.file.replace(/[^\w]+/g, "_")}_${example.line}.ts`;
  const file = path.join(folder, name);
  fs.writeFileSync(file, code);
  return file;
}

/** A fresh temporary folder for the programs; remove it with `fs.rmSync`. */
export function exampleFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "goasync-doc-examples-"));
}
