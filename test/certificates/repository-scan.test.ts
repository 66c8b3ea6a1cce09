import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findPrivateKeys } from "../../src/certificates/index.js";
import { missingCommand, titled } from "../helpers/environment.js";

/**
 * The PR Action scans every changed file for private keys, so this repository's own files must
 * scan clean: its sources and bundle name the PEM labels, and `.env.example` holds a placeholder.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Test files that deliberately hold key material would be listed here; keys are made at test
// time, so none does today.
const DELIBERATE_KEYS = new Set<string>([]);

// Skipped only without git or outside a checkout (an unpacked tarball); a git that fails in a
// checkout (say, "dubious ownership") fails the test rather than skipping the scan.
const noGit =
  missingCommand("git", "apt-get install git") ??
  (existsSync(path.join(repoRoot, ".git")) ? null : "not a git checkout (no .git)");

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\0")
    .filter((file) => file !== "");
}

const files = noGit === null ? trackedFiles() : [];

describe.skipIf(noGit !== null)(titled("every file tracked by git", noGit), () => {
  it("holds no private key, by the scan the PR Action runs", () => {
    const hits: string[] = [];
    for (const file of files) {
      if (DELIBERATE_KEYS.has(file)) continue;
      const absolute = path.join(repoRoot, file);
      let stat;
      try {
        stat = lstatSync(absolute);
      } catch {
        continue; // deleted in the working tree
      }
      if (!stat.isFile()) continue;
      const kinds = findPrivateKeys(readFileSync(absolute));
      if (kinds.length > 0) hits.push(`${file}: ${kinds.join(", ")}`);
    }
    expect(hits).toEqual([]);
  });

  it("includes the files that name the PEM labels", () => {
    expect(files).toEqual(
      expect.arrayContaining(["action/dist/index.js", ".env.example", "src/certificates/private-keys.ts"]),
    );
  });
});
