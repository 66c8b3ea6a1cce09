import { lstatSync, readdirSync, realpathSync, type Stats } from "node:fs";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { NOT_A_FILE, readBoundedFile } from "../bounded-file.js";
import { finding } from "./findings.js";
import { findPrivateKeys } from "./private-keys.js";
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
  /**
   * In a folder walk, judge only files named like certificates (CERTIFICATE_EXTENSIONS); the
   * others are scanned for private keys (a hit is reported as that file's `private-key` finding)
   * and otherwise listed in the report's `skipped`. Files named directly are always judged. The
   * CLI sets it, so `validate certificates/` passes over a README; the PR check does not.
   */
  certificateNamesOnly?: boolean;
}

/** What a certificate file may be called; .p7b/.p7c are judged too, so their advice is given. */
export const CERTIFICATE_EXTENSIONS = [".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"] as const;
/** A skipped file larger than this is not read for the key scan, and is reported as such. */
export const MAX_KEY_SCAN_BYTES = 50 * 1024 * 1024;

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
  const skipped: string[] = [];
  const files: FileReport[] = [];
  for (const target of expand(paths, root)) {
    if ("refused" in target) files.push(report(target.path, null, [finding("parse-error", target.refused)], []));
    else if (options.certificateNamesOnly && target.walked && !isCertificateName(target.path)) {
      const keys = scanSkipped(target.path, target.absolute);
      if (keys) files.push(keys);
      else skipped.push(target.path);
    } else files.push(validateFile(target.path, target.absolute, options));
  }
  const judged = options.pattern
    ? applyLayout(files, { pattern: options.pattern, devicesByRequest: options.devicesByRequest })
    : files;
  const summary = summarize(judged);
  return options.certificateNamesOnly ? { ...summary, skipped } : summary;
}

function isCertificateName(path: string): boolean {
  return (CERTIFICATE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** The private-key scan of a file the walk does not judge: a report only when it finds a key. */
function scanSkipped(path: string, absolute: string): FileReport | undefined {
  const read = readBoundedFile(absolute, MAX_KEY_SCAN_BYTES);
  if (!read.ok) {
    const why =
      read.reason === "too-large"
        ? "too large to scan for private keys; not read"
        : `${read.reason === "not-a-file" ? NOT_A_FILE : "the file cannot be read"} (not scanned for private keys)`;
    return report(path, null, [finding("parse-error", why)], []);
  }
  const bytes = read.bytes;
  const kinds = findPrivateKeys(bytes);
  if (kinds.length === 0) return undefined;
  return report(
    path,
    null,
    [
      finding(
        "private-key",
        `the file contains private key material (${kinds.join(", ")}); keep it out of the repository`,
      ),
    ],
    [],
  );
}

function validateFile(path: string, absolute: string, options: ValidatePathsOptions): FileReport {
  // An oversized file is not even read (the decoder would refuse it anyway); one unreadable file
  // (permissions, removed mid-run) must not hide the reports of the others.
  const read = readBoundedFile(absolute, MAX_FILE_BYTES);
  if (!read.ok) {
    const why =
      read.reason === "too-large"
        ? `the file is ${read.size} bytes; a certificate file may be at most ${MAX_FILE_BYTES} bytes`
        : read.reason === "not-a-file"
          ? NOT_A_FILE
          : "the file cannot be read";
    return report(path, null, [finding("parse-error", why)], []);
  }
  const bytes = read.bytes;
  return validateCertificateBytes(bytes, { path, trust: options.trust, at: options.at, warnDays: options.warnDays });
}

/** `walked`: found inside a folder the caller named, rather than named itself. */
type Target = { path: string; absolute: string; walked: boolean } | { path: string; refused: string };

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
      out.push({ path: display, absolute: real, walked: depth > 0 });
    } else {
      out.push({ path: display, refused: NOT_A_FILE });
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
