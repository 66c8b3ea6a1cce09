import { posix } from "node:path";
import type { ChangedFile } from "../github.js";

export interface Selection {
  /** Certificate files to validate and report (repository-relative). */
  certificates: string[];
  /** Other files the pull request adds or changes: scanned for private keys only. */
  keyScan: string[];
  /**
   * Unchanged certificate files beside the selected ones: validated only so the layout sees the
   * whole folder (a second file for a device already on the base branch is `duplicate-device`),
   * never reported themselves.
   */
  layoutContext: string[];
}

export interface SelectInput {
  /** Matcher of the `paths` globs. */
  matches: (path: string) => boolean;
  changedOnly: boolean;
  /** The pull request's files, when running on a pull request. */
  changed: ChangedFile[] | undefined;
  /** Workspace files matching the globs. */
  workspaceFiles: string[];
}

/**
 * Step 1 (pure): which files to validate, which to scan for keys, which to read for context.
 * Removed files are gone from the head and cannot leak anything; every other status (added,
 * modified, renamed, copied, changed) puts the file's content into the pull request.
 */
export function selectFiles(input: SelectInput): Selection {
  const present = (input.changed ?? []).filter((file) => file.status !== "removed").map((file) => file.path);
  const certificates = input.changedOnly && input.changed ? present.filter(input.matches) : input.workspaceFiles;
  const selected = new Set(certificates);
  const keyScan = [...new Set(present.filter((path) => !selected.has(path)))];

  const folders = new Set(certificates.map((path) => posix.dirname(path)));
  const layoutContext = input.workspaceFiles.filter((path) => !selected.has(path) && folders.has(posix.dirname(path)));
  return { certificates: [...selected].sort(), keyScan: keyScan.sort(), layoutContext };
}
