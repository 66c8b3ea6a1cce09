import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBoundedFile } from "../../src/bounded-file.js";

/** The one reader of the files a user names (src/bounded-file.ts); the CLI's cases are in special-files.test.ts. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bounded-file-"));
  writeFileSync(join(dir, "ten"), "0123456789");
  mkdirSync(join(dir, "folder"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readBoundedFile", () => {
  it("reads a regular file up to the limit, and refuses one byte more unread", () => {
    expect(readBoundedFile(join(dir, "ten"), 10)).toEqual({ ok: true, bytes: Buffer.from("0123456789") });
    expect(readBoundedFile(join(dir, "ten"), 9)).toEqual({ ok: false, reason: "too-large", size: 10 });
  });

  it("refuses a folder and a device; says why a missing file is unreadable", () => {
    expect(readBoundedFile(join(dir, "folder"), 10)).toEqual({ ok: false, reason: "not-a-file" });
    expect(readBoundedFile("/dev/null", 10)).toEqual({ ok: false, reason: "not-a-file" });
    expect(readBoundedFile(join(dir, "missing"), 10)).toEqual({ ok: false, reason: "unreadable", code: "ENOENT" });
  });

  it.runIf(existsSync("/proc/self/status"))("bounds a file that states no size (/proc) by what it reads", () => {
    const read = readBoundedFile("/proc/self/status", 1 << 20);
    expect(read.ok && read.bytes.toString()).toMatch(/^Name:/);
    expect(readBoundedFile("/proc/self/status", 8)).toEqual({ ok: false, reason: "too-large", size: 9 });
  });
});
