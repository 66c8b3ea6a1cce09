import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * The import graph of src/ as the TypeScript compiler resolves it with the project's tsconfig:
 * every import and export-from of every file, type-only ones included (test/repo/import-cycles
 * and layers read it).
 */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `at`: another checkout's root (to try a rule on an older tree). */
export function importGraph(at = root): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(at, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!;
  const src = `${resolve(at, "src")}/`;
  const files = config.fileNames.filter((f) => f.startsWith(src));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(ts.sys.readFile(file) ?? "", true, true);
    const targets = info.importedFiles
      .map((i) => ts.resolveModuleName(i.fileName, file, config.options, ts.sys).resolvedModule?.resolvedFileName)
      .filter((t): t is string => !!t && t.startsWith(src) && !t.endsWith(".d.ts"));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}
