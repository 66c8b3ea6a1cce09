import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import picomatch from "picomatch";
import { OneRecordError } from "../src/errors.js";

/**
 * The workspace edge: the checked-out PR head is data to read, never to run. Nothing here
 * follows a symbolic link; certificate files themselves are read by the library's
 * `validatePaths`, which refuses links that leave the workspace.
 */
const MAX_LISTED = 100_000;
const SKIPPED_FOLDERS = new Set([".git"]);

export function globMatcher(globs: string[]): (path: string) => boolean {
  return picomatch(globs, { dot: true });
}

/** Repository-relative paths (forward slashes) of the files and links matching the globs. */
export function listWorkspaceFiles(root: string, globs: string[]): string[] {
  const matches = globMatcher(globs);
  const found = new Set<string>();
  const bases = [...new Set(globs.map((glob) => picomatch.scan(glob).base))];
  let listed = 0;

  const visit = (rel: string): void => {
    if (++listed > MAX_LISTED) {
      throw new OneRecordError(
        "input-invalid",
        `Input "paths": the globs reach more than ${MAX_LISTED} files; narrow them`,
        { field: "paths" },
      );
    }
    let stat;
    try {
      stat = lstatSync(rel === "" ? root : join(root, rel));
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      const entries = readdirSync(join(root, rel)).sort();
      for (const name of entries) {
        if (rel === "" && SKIPPED_FOLDERS.has(name)) continue;
        visit(rel === "" ? name : `${rel}/${name}`);
      }
    } else if (rel !== "" && matches(rel)) {
      found.add(rel);
    }
  };
  for (const base of bases) visit(base);
  return [...found].sort();
}

export type ReadResult = { bytes: Buffer } | { skipped: string };

/**
 * Reads one repository-relative file for the private-key scan. Links are not followed (a link holds
 * no key; what it points at inside the repository is scanned as its own file when it changed).
 */
export function readWorkspaceFile(root: string, path: string, maxBytes: number): ReadResult {
  const realRoot = realpathSync(root);
  const absolute = resolve(realRoot, path);
  if (!inside(realRoot, absolute)) return { skipped: "outside the workspace" };
  let stat;
  try {
    // A folder on the way may itself be a link out of the workspace.
    if (!inside(realRoot, realpathSync(dirname(absolute)))) return { skipped: "outside the workspace (symbolic link)" };
    stat = lstatSync(absolute);
  } catch {
    return { skipped: "not in the workspace" };
  }
  if (stat.isSymbolicLink()) return { skipped: "a symbolic link" };
  if (!stat.isFile()) return { skipped: "not a regular file" };
  const fd = openSync(absolute, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return { skipped: `larger than ${maxBytes} bytes` };
    return { bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
