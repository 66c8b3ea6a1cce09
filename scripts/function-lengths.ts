/**
 * Lists the functions longer than N lines in the given folders, read with the TypeScript
 * compiler's own parser (no type checking, so it is fast and needs no tsconfig).
 *
 *   npx tsx scripts/function-lengths.ts [--max 70] [--top N] [--exclude PATH]... FOLDER...
 *
 * Exits 1 when it lists any. `--top 5 --max 0` lists the five longest functions, whatever their length. A function's length runs from its first line to its last, nested
 * functions included (as ESLint's max-lines-per-function counts); every function-like node counts:
 * declarations, methods, accessors, constructors, function expressions and arrow functions.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

export interface LongFunction {
  /** Relative to the working directory, with `/` separators. */
  file: string;
  name: string;
  /** 1-based line of the function's first line. */
  line: number;
  lines: number;
}

export interface LengthOptions {
  max: number;
  /** Paths (files or folders) left out, relative to the working directory. */
  exclude?: readonly string[];
}

const SOURCE = /\.(?:ts|mts|cts)$/;

/** Every function over `options.max` lines in the TypeScript files under `folders`, longest first. */
export function longFunctions(folders: readonly string[], options: LengthOptions): LongFunction[] {
  const excluded = (options.exclude ?? []).map((p) => resolve(p));
  const found: LongFunction[] = [];
  for (const file of folders.flatMap((folder) => sourceFiles(resolve(folder), excluded))) {
    for (const fn of functionLengths(file)) if (fn.lines > options.max) found.push(fn);
  }
  return found.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

/** The length of every function in one file. */
export function functionLengths(path: string): LongFunction[] {
  const text = readFileSync(path, "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const file = relative(process.cwd(), path).split(sep).join("/");
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, name: functionName(node, source), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(path: string, excluded: readonly string[]): string[] {
  if (excluded.some((e) => path === e || path.startsWith(e + sep))) return [];
  if (!statSync(path).isDirectory()) return SOURCE.test(path) && !path.endsWith(".d.ts") ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== "node_modules" && !name.startsWith("."))
    .sort()
    .flatMap((name) => sourceFiles(join(path, name), excluded));
}

/** The declared name, else the name of what it is assigned to (`const f = () => …`, `{ f: … }`). */
function functionName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source);
  return `(anonymous ${ts.SyntaxKind[node.kind]})`;
}

function main(argv: readonly string[]): number {
  let max = 70;
  let top = Infinity;
  const exclude: string[] = [];
  const folders: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--max") max = Number(argv[++i]);
    else if (arg === "--top") top = Number(argv[++i]);
    else if (arg === "--exclude") exclude.push(argv[++i] ?? "");
    else folders.push(arg);
  }
  if (!Number.isInteger(max) || max < 0 || !(top >= 1) || folders.length === 0) {
    console.error("usage: function-lengths.ts [--max N] [--top N] [--exclude PATH]... FOLDER...");
    return 2;
  }
  const long = longFunctions(folders, { max, exclude });
  for (const f of long.slice(0, top)) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
  console.log(`${long.length} function(s) over ${max} lines`);
  return long.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = main(process.argv.slice(2));
