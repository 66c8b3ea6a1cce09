import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Runtime dependencies are exactly what runtime code imports: src/ (the app, the CLI, the
 * library) and action/ (bundled into action/dist), tests left out. A package only tests, scripts
 * or the bench use is a devDependency; a runtime import of a devDependency would break an install
 * without them.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
// Runtime without an import from src/: @octokit/rest is kept for the operator commands of a later
// issue. (probot is imported: src/app/start.ts, what `npm start` runs, calls its `run`.)
const NOT_IMPORTED = new Map([["@octokit/rest", "kept for the operator commands of a later issue"]]);

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "dist" || name === "node_modules" ? [] : runtimeFiles(path);
    return /\.(?:ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The package an import specifier names (`@scope/name/sub` → `@scope/name`), or null for a relative or built-in one. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("node:") || builtinModules.includes(specifier)) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The module specifiers a file loads at run time: `import type` and `export type` are erased. */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
      out.push(node.moduleSpecifier.text);
    else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteral(first)) out.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of [...runtimeFiles(join(root, "src")), ...runtimeFiles(join(root, "action"))]) {
    for (const specifier of runtimeSpecifiers(file)) {
      const name = packageOf(specifier);
      if (name && !found.has(name)) found.set(name, file.slice(root.length));
    }
  }
  return found;
}

describe("runtime dependencies", () => {
  const imported = importedPackages();

  it("are all imported by runtime code (src/, action/)", () => {
    const unused = Object.keys(pkg.dependencies).filter((d) => !imported.has(d) && !NOT_IMPORTED.has(d));
    expect(unused).toEqual([]);
  });

  it("cover every package runtime code imports", () => {
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([n, file]) => `${n} (${file})`);
    expect(missing).toEqual([]);
  });

  it("name the runtime packages src/ does not import, and those only", () => {
    expect(pkg.scripts.start).toBe("node dist/src/app/start.js");
    expect(importedPackages().get("probot")).toBeDefined();
    for (const name of NOT_IMPORTED.keys()) expect(pkg.dependencies).toHaveProperty(name);
  });

  it("keep @peculiar/x509 (and the reflect-metadata it needs) for option 2's certificate signing requests only", () => {
    // The judge decodes with Node's X509Certificate and the asn1 schemas; the CSR of a key made
    // in the obtain workflow is built with @peculiar/x509 (issue 20), which acme-client uses too.
    for (const name of ["@peculiar/x509", "reflect-metadata"]) {
      expect(pkg.dependencies).toHaveProperty(name);
      const users = [...runtimeFiles(join(root, "src")), ...runtimeFiles(join(root, "action"))].filter((f) =>
        runtimeSpecifiers(f).includes(name),
      );
      expect(users.map((f) => f.slice(root.length))).toEqual(["src/acme/device-key.ts"]);
    }
  });
});
