import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join, relative } from "node:path";

/**
 * Why a test cannot run on this machine, said in its title where (and only where) it is skipped.
 * Tools are looked up on PATH, not run: running `openssl version` to find out whether openssl
 * exists answers "no" for any failure (a spawn refused under load, a timeout), and a skip must
 * name its real reason. A tool that is installed but fails makes its test fail, not skip.
 */

/** The executable `command` on PATH, or null. */
export function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** null when `command` is on PATH; otherwise the reason to skip, with how to install it. */
export function missingCommand(command: string, install: string): string | null {
  return onPath(command) ? null : `${command} is not on PATH (${install})`;
}

/** null when `path` exists; otherwise the reason to skip, naming it relative to the repository. */
export function missingPath(path: string, what: string, repoRoot: string): string | null {
  return existsSync(path) ? null : `${what} is absent (${relative(repoRoot, path)})`;
}

/** A test's or group's title, with the reason it is skipped when it is. */
export function titled(title: string, skipReason: string | null): string {
  return skipReason === null ? title : `${title} — SKIPPED: ${skipReason}`;
}
