import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile } from "../helpers/pki.js";

/**
 * The committed CLI bundle, run as a customer runs it: the one file, copied alone into an empty
 * folder outside any clone (no node_modules anywhere above it), with plain `node`.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = join(repoRoot, "cli/dist/onerecord-access.js");
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
let dir: string;

const node = (args: string[], cwd: string) =>
  spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-bundle-"));
  copyFileSync(bundle, join(dir, "onerecord-access.js"));
  const root = await makeRoot({ cn: "Bundle Root" });
  const intermediate = await makeIntermediate(root, { cn: "Bundle CA" });
  writeFileSync(join(dir, "root.pem"), root.pem);
  writeFileSync(join(dir, "device.pem"), pemFile(await makeLeaf(intermediate, { cn: "gateway-01" }), intermediate));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the CLI bundle needs nothing but Node", () => {
  it("runs alone in an empty folder: --version, and validate", () => {
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    const v = node(["onerecord-access.js", "--version"], dir);
    expect(v.stderr).toBe("");
    expect(v.stdout).toBe(`onerecord-access ${version}\n`);
    const run = node(
      ["onerecord-access.js", "validate", "--at", AT.toISOString(), "--trust", "root.pem", "device.pem"],
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/verdict\s+VALID/);
  });

  it("bin/onerecord-access.js runs the bundle, from any folder", () => {
    const out = node([join(repoRoot, "bin/onerecord-access.js"), "--version"], dir);
    expect(out.stdout).toBe(`onerecord-access ${version}\n`);
  });

  it("a clone without the bundle gets one line, not ERR_MODULE_NOT_FOUND and a stack trace", () => {
    const clone = join(dir, "clone");
    mkdirSync(join(clone, "bin"), { recursive: true });
    copyFileSync(join(repoRoot, "bin/onerecord-access.js"), join(clone, "bin/onerecord-access.js"));
    writeFileSync(join(clone, "package.json"), JSON.stringify({ type: "module" }));
    const out = node(["bin/onerecord-access.js", "validate", "x.pem"], clone);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toMatch(/cli\/dist\/onerecord-access\.js is missing: run `npm install && npm run bundle`/);
    expect(out.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
  });
});
