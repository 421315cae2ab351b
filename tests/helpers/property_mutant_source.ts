/**
 * Source mutants for the property tests: a copy of one module of `src/`
 * (the manager's engine) with one small deliberate break, and a copy of
 * `src/task_manager.ts` that uses it, written to a temporary folder (every
 * other import pointed back at `src/`, so every other module, and so every
 * error class, is the real one) and imported from there. A restart bug lives
 * in the engine's private methods, which no wrapper can reach.
 *
 * @module
 */

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { TaskManager } from "../../mod.ts";

const SOURCE_FOLDER = new URL("../../src/", import.meta.url);
const MANAGER = "task_manager.ts";

/** One edit: the exact text to find (once) and what replaces it. */
export type Edit = readonly [find: string, replace: string];

/** A mutated TaskManager class, and how to remove its files. */
export interface MutatedManager {
  TaskManager: typeof TaskManager;
  remove(): Promise<void>;
}

/**
 * Loads the TaskManager with `edits` applied to `module` (a path in `src/`,
 * such as `_internal/engine.ts`).
 *
 * @throws {Error} When a text to find is not in the module exactly once
 * (the source changed: the mutant must be updated with it).
 */
export async function mutatedManager(
  module: string,
  edits: readonly Edit[],
): Promise<MutatedManager> {
  const source = new URL(module, SOURCE_FOLDER);
  let text = await readFile(source, "utf8");
  for (const [find, replace] of edits) {
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) {
      throw new Error(
        `source mutant: ${
          JSON.stringify(find)
        } is not in src/${module} exactly once`,
      );
    }
    text = text.slice(0, at) + replace + text.slice(at + find.length);
  }
  const folder = await mkdtemp(join(tmpdir(), "goasync-mutant-"));
  await writeFile(join(folder, "package.json"), '{ "type": "module" }\n');
  const mutated = join(folder, "mutated.ts");
  await writeFile(mutated, absoluteImports(text, source));
  let manager = mutated;
  if (module !== MANAGER) {
    const managerSource = new URL(MANAGER, SOURCE_FOLDER);
    const managerText = absoluteImports(
      await readFile(managerSource, "utf8"),
      managerSource,
    ).replaceAll(`"${source.href}"`, `"${pathToFileURL(mutated).href}"`);
    if (!managerText.includes(pathToFileURL(mutated).href)) {
      throw new Error(
        `source mutant: src/${MANAGER} does not import src/${module}`,
      );
    }
    manager = join(folder, MANAGER);
    await writeFile(manager, managerText);
  }
  const loaded = await import(pathToFileURL(manager).href);
  return {
    TaskManager: loaded.TaskManager,
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/** `text` with its relative imports made absolute, as seen from `from`. */
function absoluteImports(text: string, from: URL): string {
  return text.replace(
    /from "(\.\.?\/[^"]+)"/g,
    (_, path: string) => `from "${new URL(path, from).href}"`,
  );
}
