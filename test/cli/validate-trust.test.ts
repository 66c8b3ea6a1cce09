import "reflect-metadata";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AT, makeLeaf, makeRoot, pemFile, privateKeySamples, type PrivateKeySample } from "../helpers/pki.js";

/** `validate --trust FILE` as a customer runs it: a bundle, a key by mistake, a leaf by mistake. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const main = path.join(repoRoot, "src/cli/main.ts");
const tsx = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, main, "validate", "--at", AT.toISOString(), ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let key: PrivateKeySample;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cli-trust-"));
  const first = await makeRoot({ cn: "Bundle Root 1" });
  const second = await makeRoot({ cn: "Bundle Root 2" });
  const leaf = await makeLeaf(second, { cn: "gateway-9" });
  key = privateKeySamples().find((s) => s.label === "PKCS#8 PEM (EC)")!;
  writeFileSync(path.join(dir, "bundle.pem"), pemFile(first, second));
  writeFileSync(path.join(dir, "device.pem"), pemFile(leaf));
  writeFileSync(path.join(dir, "with-key.pem"), Buffer.concat([Buffer.from(first.pem), Buffer.from(key.bytes)]));
  writeFileSync(path.join(dir, "leaf-as-root.pem"), pemFile(leaf));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("validate --trust FILE", () => {
  it("trusts every certificate of a PEM bundle (the second root anchors the device)", async () => {
    const run = await cli(["--trust", "bundle.pem", "device.pem"], dir);
    expect(run.stdout).toContain("1 valid, 0 invalid");
    expect(run.code).toBe(0);
  });

  it("refuses a file holding a private key, exit 2, without echoing it", async () => {
    const run = await cli(["--trust", "with-key.pem", "device.pem"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("this is a private key");
    for (const secret of key.secrets) expect(run.stderr + run.stdout).not.toContain(secret);
  });

  it("refuses a non-CA certificate as an anchor with a clear message, exit 2", async () => {
    const run = await cli(["--trust", "leaf-as-root.pem", "device.pem"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"CN=gateway-9" is not a CA certificate (it says CA:FALSE)');
  });
});
