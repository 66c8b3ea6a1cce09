import { lstat, readdir, readFile, realpath } from "node:fs/promises";
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

/** The filesystem edge: walks files and folders (recursively), then validates each file. */
export async function validatePaths(paths: string[], options: ValidatePathsOptions): Promise<ValidationReport> {
  const root = options.root ? await realpath(resolve(options.root)) : undefined;
  const files: FileReport[] = [];
  for (const target of await expand(paths, root)) {
    files.push("refused" in target ? report(target.path, null, [finding("parse-error", target.refused)], []) : await validateFile(target.path, target.absolute, options));
  }
  const judged = options.pattern ? applyLayout(files, { pattern: options.pattern, devicesByRequest: options.devicesByRequest }) : files;
  return summarize(judged);
}

async function validateFile(path: string, absolute: string, options: ValidatePathsOptions): Promise<FileReport> {
  const stat = await lstat(absolute);
  if (stat.size > MAX_FILE_BYTES) {
    // Do not even read it: the decoder would refuse it anyway.
    return report(path, null, [finding("parse-error", `the file is ${stat.size} bytes; a certificate file may be at most ${MAX_FILE_BYTES} bytes`)], []);
  }
  const bytes = await readFile(absolute);
  return validateCertificateBytes(bytes, { path, trust: options.trust, at: options.at, warnDays: options.warnDays });
}

type Target = { path: string; absolute: string } | { path: string; refused: string };

async function expand(paths: string[], root: string | undefined): Promise<Target[]> {
  const out: Target[] = [];
  const seen = new Set<string>();
  const visit = async (absolute: string, display: string, depth: number): Promise<void> => {
    let stat;
    try {
      stat = await lstat(absolute);
    } catch {
      out.push({ path: display, refused: "no such file or folder" });
      return;
    }
    let real = absolute;
    if (stat.isSymbolicLink()) {
      try {
        real = await realpath(absolute);
        stat = await lstat(real);
      } catch {
        out.push({ path: display, refused: "a symbolic link that leads nowhere" });
        return;
      }
    }
    if (root && !inside(root, real)) {
      out.push({ path: display, refused: "leads outside the workspace (symbolic link); not read" });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    if (stat.isDirectory()) {
      if (depth > 32) return;
      const entries = (await readdir(real)).sort();
      for (const entry of entries) await visit(join(real, entry), join(display, entry), depth + 1);
    } else if (stat.isFile()) {
      out.push({ path: display, absolute: real });
    } else {
      out.push({ path: display, refused: "not a regular file" });
    }
  };
  for (const p of paths) {
    const absolute = root && !isAbsolute(p) ? resolve(root, p) : resolve(p);
    const display = root ? relative(root, absolute) || "." : p;
    await visit(absolute, display.split(sep).join("/"), 0);
  }
  return out;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
