import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { finding } from "./findings.js";
import { MAX_FILE_BYTES } from "./decode.js";
import { applyLayout } from "./layout.js";
import type { TrustStore } from "./trust-store.js";
import type { FileReport, ValidationReport } from "./types.js";
import { report, summarize, validateCertificateBytes } from "./validate.js";

export interface ValidatePathsOptions {
  /** Files must stay inside this folder (symlinks included); default: no confinement. */
  root?: string;
  trust: TrustStore;
  at?: Date;
  warnDays?: number;
  /** When set, the certificate layout is applied (device-mismatch / duplicate-device). */
  pattern?: string;
  devicesByRequest?: Map<number, string[]>;
}

/**
 * The filesystem edge: walks files and folders (recursively), then validates each file.
 * Synchronous I/O on purpose: the work is CPU-bound and a file at a time, and awaiting each
 * small read left the process idle for a third of a 1,000-file run.
 */
// Async on purpose although the work is synchronous today: callers already await it, so a
// worker-thread version for large folders can land without changing the API.
// eslint-disable-next-line @typescript-eslint/require-await
export async function validatePaths(paths: string[], options: ValidatePathsOptions): Promise<ValidationReport> {
  const root = options.root ? realpathSync(resolve(options.root)) : undefined;
  const files = expand(paths, root).map((target) =>
    "refused" in target
      ? report(target.path, null, [finding("parse-error", target.refused)], [])
      : validateFile(target.path, target.absolute, options),
  );
  const judged = options.pattern
    ? applyLayout(files, { pattern: options.pattern, devicesByRequest: options.devicesByRequest })
    : files;
  return summarize(judged);
}

function validateFile(path: string, absolute: string, options: ValidatePathsOptions): FileReport {
  let bytes: Buffer;
  try {
    const fd = openSync(absolute, "r");
    try {
      const size = fstatSync(fd).size;
      // Do not even read an oversized file: the decoder would refuse it anyway.
      if (size > MAX_FILE_BYTES) {
        return report(
          path,
          null,
          [
            finding(
              "parse-error",
              `the file is ${size} bytes; a certificate file may be at most ${MAX_FILE_BYTES} bytes`,
            ),
          ],
          [],
        );
      }
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // One unreadable file (permissions, removed mid-run) must not hide the reports of the others.
    return report(path, null, [finding("parse-error", "the file cannot be read")], []);
  }
  return validateCertificateBytes(bytes, { path, trust: options.trust, at: options.at, warnDays: options.warnDays });
}

type Target = { path: string; absolute: string } | { path: string; refused: string };

function expand(paths: string[], root: string | undefined): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();

  const visit = (absolute: string, display: string, depth: number, kind?: "file" | "dir"): void => {
    let real = absolute;
    let stat: Pick<Stats, "isFile" | "isDirectory"> | undefined;
    if (kind === undefined) {
      let link: Stats;
      try {
        link = lstatSync(absolute);
      } catch {
        out.push({ path: display, refused: "no such file or folder" });
        return;
      }
      if (link.isSymbolicLink()) {
        try {
          real = realpathSync(absolute);
          stat = lstatSync(real);
        } catch {
          out.push({ path: display, refused: "a symbolic link that leads nowhere" });
          return;
        }
      } else {
        stat = link;
      }
    }
    if (root && !inside(root, real)) {
      out.push({ path: display, refused: "leads outside the workspace (symbolic link); not read" });
      return;
    }
    const isDir = kind === "dir" || (kind === undefined && stat!.isDirectory());
    const isFile = kind === "file" || (kind === undefined && stat!.isFile());
    // Folders are visited once (link cycles); files are not merged by their target, because a
    // link that makes one device's certificate another's must be reported, not dropped.
    if (isDir) {
      if (seen.has(real)) return;
      seen.add(real);
      if (depth > 32) return;
      const entries = readdirSync(real, { withFileTypes: true }).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      for (const entry of entries) {
        // Directory entries already say what they are; only links need a closer look.
        const entryKind = entry.isFile() ? "file" : entry.isDirectory() ? "dir" : undefined;
        visit(join(real, entry.name), `${display}/${entry.name}`, depth + 1, entryKind);
      }
    } else if (isFile) {
      if (seen.has(`file:${display}`)) return;
      seen.add(`file:${display}`);
      out.push({ path: display, absolute: real });
    } else {
      out.push({ path: display, refused: "not a regular file" });
    }
  };

  for (const p of paths) {
    const absolute = root && !isAbsolute(p) ? resolve(root, p) : resolve(p);
    const display = root ? relative(root, absolute).split(sep).join("/") || "." : p.replace(/\/+$/, "") || p;
    visit(absolute, display, 0);
  }
  return out;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
