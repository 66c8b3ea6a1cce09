import { basename, dirname, extname, join } from "node:path";

/** A path as one shell word, for a command the advice shows (`'it'\''s here.pem'`). */
export function shellQuote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * A new file beside `path` for an advised command to write: its name without the extension, then
 * `suffix` (`pump-7.p7b` → `pump-7.pem`); never one of `avoid` (the command's inputs), which the
 * shell would empty before reading.
 */
export function siblingPath(path: string, suffix: string, avoid: readonly string[] = [path]): string {
  const stem = join(dirname(path), basename(path, extname(path)));
  for (let n = 1; ; n++) {
    const candidate = `${stem}${n === 1 ? "" : `-${n}`}${suffix}`;
    if (!avoid.includes(candidate)) return candidate;
  }
}
