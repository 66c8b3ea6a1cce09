import "reflect-metadata";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile } from "../helpers/pki.js";

/**
 * Paths that are not regular files, given where the CLI expects a file: a FIFO (opening it for
 * reading waits for a writer, forever) and a symbolic link to /dev/zero (reading it never ends).
 * The CLI is run as a child process, since a blocked synchronous read cannot be timed out in
 * process; the child is killed after a few seconds, so a hang fails the test instead of stalling
 * the run, and its data size is capped (ulimit -d) so an endless read dies early instead of
 * filling the machine's memory.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const main = path.join(repoRoot, "src/cli/main.ts");
const tsx = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
// A healthy run takes one to four seconds on a loaded 2-core machine (a cold tsx start); a hang
// is killed at KILL_AFTER_MS and fails. Both limits are far above a healthy run, so load alone
// never fails it.
const KILL_AFTER_MS = 25_000;
const TEST_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", 'ulimit -d 1000000 && exec "$0" "$@"', process.execPath, "--import", tsx, main, ...args],
      { cwd: dir, timeout: KILL_AFTER_MS, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

interface JsonReport {
  files: Array<{ path: string; verdict: string; errors: Array<{ code: string; message: string }>; advice?: string[] }>;
}

let dir: string;
const at = ["--at", AT.toISOString()];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cli-special-"));
  const root = await makeRoot({ cn: "Special Files Root" });
  const intermediate = await makeIntermediate(root, { cn: "Special Files CA" });
  writeFileSync(path.join(dir, "root.pem"), root.pem);
  mkdirSync(path.join(dir, "folder"));
  writeFileSync(path.join(dir, "folder/device.pem"), pemFile(await makeLeaf(intermediate), intermediate));
  for (const fifo of ["fifo.pem", "folder/fifo.pem"]) execFileSync("mkfifo", [path.join(dir, fifo)]);
  symlinkSync("/dev/zero", path.join(dir, "zero.pem"));
  symlinkSync("/dev/zero", path.join(dir, "folder/zero.pem"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reported = (run: Run) => (JSON.parse(run.stdout) as JsonReport).files;

describe("validate: a FIFO or a link to /dev/zero is refused unread, quickly", () => {
  it(
    "named directly or in a folder: parse-error, and the certificate beside them is judged",
    async () => {
      const run = await cli(["validate", "--json", ...at, "--trust", "root.pem", "fifo.pem", "zero.pem", "folder"]);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
      expect(reported(run).map((f) => [f.path, f.verdict, f.errors.map((e) => e.message)])).toEqual([
        ["fifo.pem", "invalid", ["not a regular file"]],
        ["zero.pem", "invalid", ["not a regular file"]],
        ["folder/device.pem", "valid", []],
        ["folder/fifo.pem", "invalid", ["not a regular file"]],
        ["folder/zero.pem", "invalid", ["not a regular file"]],
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    ["--trust", "fifo.pem"],
    ["--config", "zero.pem"],
  ])(
    "%s %s: exit 2, the option file is not a regular file",
    async (option, name) => {
      const run = await cli(["validate", ...at, option, name, "folder/device.pem"]);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 2, signal: null });
      expect(run.stderr).toContain(`${option} ${name}: not a regular file`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a token command's option file (jwks --key): exit 2, not a regular file",
    async () => {
      const run = await cli(["jwks", "--key", "fifo.pem"]);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 2, signal: null });
      expect(run.stderr).toContain("--key fifo.pem: not a regular file");
    },
    TEST_TIMEOUT_MS,
  );
});
