import {
  findPrivateKeys,
  finding,
  summarize,
  validatePaths,
  type FileReport,
  type TrustStore,
  type ValidationReport,
} from "../../src/certificates/index.js";
import type { ReadResult } from "../workspace.js";
import type { Selection } from "./1-select-files.js";

export interface ValidateOptions {
  /** The workspace: no file outside it is read, symbolic links included. */
  root: string;
  trust: TrustStore;
  at: Date | undefined;
  warnDays: number;
  pattern: string;
  /** Reads a non-certificate file for the key scan (the workspace edge, injected). */
  read: (path: string) => ReadResult;
}

export interface Validated {
  report: ValidationReport;
  /** Changed files that could not be scanned for keys, and why (shown as warnings). */
  unscanned: Array<{ path: string; reason: string }>;
}

/** Files past this size are not scanned for keys; they are listed as unscanned instead. */
export const MAX_SCANNED_BYTES = 50 * 1024 * 1024;

/**
 * Step 2: judge the selection. Certificate files go through the library (which reads them,
 * confined to the workspace, applies the layout and scans them for keys too); every other changed
 * file is only scanned for private keys, and only a hit becomes a report.
 */
export async function validateSelection(selection: Selection, options: ValidateOptions): Promise<Validated> {
  const context = new Set(selection.layoutContext);
  const certificates =
    selection.certificates.length === 0
      ? []
      : (
          await validatePaths([...selection.certificates, ...selection.layoutContext], {
            root: options.root,
            trust: options.trust,
            at: options.at,
            warnDays: options.warnDays,
            pattern: options.pattern,
          })
        ).files.filter((file) => !context.has(file.path));

  const keys: FileReport[] = [];
  const unscanned: Validated["unscanned"] = [];
  for (const path of selection.keyScan) {
    const read = options.read(path);
    if ("skipped" in read) {
      // A link or a removed path holds no content of its own; only a real gap is worth a warning.
      if (read.skipped.startsWith("larger")) unscanned.push({ path, reason: read.skipped });
      continue;
    }
    const kinds = findPrivateKeys(read.bytes);
    if (kinds.length > 0) keys.push(privateKeyReport(path, kinds));
  }
  return { report: summarize([...certificates, ...keys]), unscanned };
}

export function privateKeyReport(path: string, kinds: string[]): FileReport {
  return {
    path,
    verdict: "invalid",
    certificate: null,
    // Only the kind is named: the message lands in logs, annotations and the summary.
    errors: [
      finding(
        "private-key",
        `the file contains private key material (${kinds.join(", ")}); never commit a private key: remove it from the branch history and rotate the key`,
      ),
    ],
    warnings: [],
  };
}
